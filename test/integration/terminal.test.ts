// Sandbox terminals in the real editor: each terminal command invoked with what its menus pass
// (Hosts view host node, Explorer (clickedUri, selectedUris), Hosts view folder node, the
// palette nothing). The remote login shell is bash: VS Code's shell integration must light up
// from our hook, `code <file>` must open the sbx:// file, and the exit status must close the
// terminal with that code.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { addTestHost, removeTestHosts, TestHost } from './fsHosts';

const hostNode = (name: string) => ({ kind: 'host', host: { name, source: 'settings', enabled: true } });
const entryNode = (uri: vscode.Uri, type: vscode.FileType) => ({ kind: 'entry', uri, type });

function closedWith(terminal: vscode.Terminal): Promise<number | undefined> {
  return new Promise((resolve) => {
    const sub = vscode.window.onDidCloseTerminal((t) => {
      if (t !== terminal) return;
      sub.dispose();
      resolve(t.exitStatus?.code);
    });
  });
}

function shellIntegrationOf(terminal: vscode.Terminal): Promise<vscode.TerminalShellIntegration> {
  if (terminal.shellIntegration) return Promise.resolve(terminal.shellIntegration);
  return new Promise((resolve) => {
    const sub = vscode.window.onDidChangeTerminalShellIntegration((e) => {
      if (e.terminal !== terminal) return;
      sub.dispose();
      resolve(e.shellIntegration);
    });
  });
}

function editorOpened(uri: vscode.Uri): Promise<vscode.TextEditor> {
  const matches = (e: vscode.TextEditor | undefined) => e?.document.uri.toString() === uri.toString();
  if (matches(vscode.window.activeTextEditor)) return Promise.resolve(vscode.window.activeTextEditor!);
  return new Promise((resolve) => {
    const sub = vscode.window.onDidChangeActiveTextEditor((e) => {
      if (!matches(e)) return;
      sub.dispose();
      resolve(e!);
    });
  });
}

/** Runs `command` through VS Code's shell integration and returns what it printed. */
async function execute(terminal: vscode.Terminal, command: string): Promise<string> {
  const execution = (await shellIntegrationOf(terminal)).executeCommand(command);
  let output = '';
  for await (const data of execution.read()) output += data;
  return output;
}

/** Our tmux server's clients of session `name`, as the remote (this machine) sees them. */
function tmuxClients(host: TestHost, name: string): string[] {
  try {
    return host.sshd.tmux('sandbox-explorer', 'list-clients', '-t', `=${name}`).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

// Each test runs with plain shells and inside tmux (persistent sessions): shell integration,
// `code` and exit codes must work the same through tmux.
for (const mode of ['off', 'auto'] as const) describe(`sandbox terminals (persistentSessions ${mode})`, function () {
  this.timeout(60000);
  let host: TestHost;

  before(async () => {
    host = await addTestHost(mode === 'off' ? 'term-box' : 'tmux-term-box');
    await vscode.workspace.getConfiguration('sandboxExplorer').update('terminal.persistentSessions', mode, vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    await vscode.workspace.getConfiguration('sandboxExplorer').update('terminal.persistentSessions', undefined, vscode.ConfigurationTarget.Global);
    vscode.window.terminals.forEach((t) => t.dispose());
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await removeTestHosts();
  });

  it('Open Terminal on a Hosts view host node: a login shell with shell integration, closed by its exit status', async () => {
    const terminal = await vscode.commands.executeCommand<vscode.Terminal>('sandboxExplorer.terminal.open', hostNode(host.name));
    assert.ok(terminal, 'the command returns the terminal');
    assert.strictEqual(terminal.name, host.name);
    // tmux puts its own mode sequences between the lines: read the text only.
    const text = (await execute(terminal, 'echo "sum-$((40+2))"; echo "in=${TMUX:+tmux}"')).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    assert.match(text, mode === 'auto' ? /sum-42\s+in=tmux/ : /sum-42\s+in=\s/);
    // A command the user types is reported by our hook with the terminal's nonce: trusted.
    const started = new Promise<vscode.TerminalShellExecution>((resolve) => {
      const sub = vscode.window.onDidStartTerminalShellExecution((e) => {
        if (e.terminal !== terminal || e.execution.commandLine.value !== 'echo typed-$((3*3))') return;
        sub.dispose();
        resolve(e.execution);
      });
    });
    terminal.sendText('echo typed-$((3*3))');
    const typed = await started;
    assert.strictEqual(typed.commandLine.isTrusted, true);
    assert.strictEqual(typed.commandLine.confidence, vscode.TerminalShellExecutionCommandLineConfidence.High);
    const closed = closedWith(terminal);
    terminal.sendText('exit 4');
    assert.strictEqual(await closed, 4);
  });

  it('Open Terminal Here from the Explorer (clickedUri, selectedUris) starts in the folder; `code README.md` opens the sbx:// file', async () => {
    const folder = host.folder('explorer term');
    fs.writeFileSync(path.join(folder, 'README.md'), '# hello\n');
    const uri = host.uri(folder);
    const terminal = await vscode.commands.executeCommand<vscode.Terminal>('sandboxExplorer.terminal.openHere', uri, [uri]);
    assert.strictEqual(terminal.name, `${host.name}: ${path.basename(folder)}`);
    await shellIntegrationOf(terminal);
    const opened = editorOpened(host.uri(path.join(folder, 'README.md')));
    terminal.sendText('code README.md');
    const editor = await opened;
    assert.strictEqual(editor.document.getText(), '# hello\n');
    terminal.dispose();
  });

  it('Open Terminal Here on a Hosts view folder node starts in that folder', async () => {
    const folder = host.folder('tree term');
    const terminal = await vscode.commands.executeCommand<vscode.Terminal>('sandboxExplorer.terminal.openHere', entryNode(host.uri(folder), vscode.FileType.Directory));
    const output = await execute(terminal, 'pwd');
    assert.ok(output.includes(folder), `pwd said ${JSON.stringify(output)}`);
    terminal.dispose();
  });

  it('from the palette, Open Terminal asks for a host (dismissed: nothing opens)', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const before = vscode.window.terminals.length;
    // With no sbx:// editor, Open Terminal Here asks for a host like Open Terminal.
    const asked = Promise.all([vscode.commands.executeCommand('sandboxExplorer.terminal.open'), vscode.commands.executeCommand('sandboxExplorer.terminal.openHere')]);
    // No event says "the quick pick is shown": dismiss until both commands end.
    let settled = false;
    const both = asked.finally(() => (settled = true));
    for (let i = 0; i < 200 && !settled; i++) {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepStrictEqual(await both, [undefined, undefined]);
    assert.strictEqual(vscode.window.terminals.length, before);
  });

  it('from the palette with an sbx:// editor active, Open Terminal Here starts in that file\'s folder', async () => {
    const folder = host.folder('palette term');
    fs.writeFileSync(path.join(folder, 'a.txt'), 'a\n');
    await vscode.window.showTextDocument(host.uri(path.join(folder, 'a.txt')));
    const terminal = await vscode.commands.executeCommand<vscode.Terminal>('sandboxExplorer.terminal.openHere');
    assert.strictEqual(terminal.name, `${host.name}: ${path.basename(folder)}`);
    const output = await execute(terminal, 'pwd');
    assert.ok(output.includes(folder), `pwd said ${JSON.stringify(output)}`);
    terminal.dispose();
  });

  if (mode === 'auto') {
    it('re-attached after the connection dropped: the same shell, executeCommand works at once, `code README.md` still opens the file', async () => {
      const folder = host.folder('reattach term');
      fs.writeFileSync(path.join(folder, 'README.md'), '# again\n');
      const uri = host.uri(folder);
      const terminal = await vscode.commands.executeCommand<vscode.Terminal>('sandboxExplorer.terminal.openHere', uri, [uri]);
      const said = (await execute(terminal, 'export KEEP=kept-$((6*7)); echo "session=$(tmux display-message -p \'#S\')"')).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
      const name = /session=(sbx-[a-z0-9-]+)/.exec(said)?.[1];
      assert.ok(name, `in a tmux session of ours: ${JSON.stringify(said)}`);
      assert.strictEqual(tmuxClients(host, name).length, 1);
      host.sshd.dropConnections();
      // Nothing tells the editor that the terminal re-attached: watch the session's clients, bounded.
      for (let i = 0; i < 200 && tmuxClients(host, name).length !== 0; i++) await new Promise((r) => setTimeout(r, 50));
      for (let i = 0; i < 400 && tmuxClients(host, name).length !== 1; i++) await new Promise((r) => setTimeout(r, 50));
      assert.strictEqual(tmuxClients(host, name).length, 1, 're-attached');
      // The shell redrew its prompt with its marks once re-attached: VS Code runs commands in it at once.
      assert.match(await execute(terminal, 'echo "keep=$KEEP"'), /keep=kept-42/);
      const opened = editorOpened(host.uri(path.join(folder, 'README.md')));
      terminal.sendText('code README.md');
      assert.strictEqual((await opened).document.getText(), '# again\n');
      terminal.dispose();
    });
  }
});
