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

describe('sandbox terminals', function () {
  this.timeout(60000);
  let host: TestHost;

  before(async () => {
    host = await addTestHost('term-box');
    // Plain shells here: inside tmux, VS Code's shell integration is best-effort (terminalSessions.test.ts).
    await vscode.workspace.getConfiguration('sandboxExplorer').update('terminal.persistentSessions', 'off', vscode.ConfigurationTarget.Global);
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
    const integration = await shellIntegrationOf(terminal);
    const execution = integration.executeCommand('echo "sum-$((40+2))"');
    let output = '';
    for await (const data of execution.read()) output += data;
    assert.match(output, /sum-42/);
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
    const integration = await shellIntegrationOf(terminal);
    const execution = integration.executeCommand('pwd');
    let output = '';
    for await (const data of execution.read()) output += data;
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
    const execution = (await shellIntegrationOf(terminal)).executeCommand('pwd');
    let output = '';
    for await (const data of execution.read()) output += data;
    assert.ok(output.includes(folder), `pwd said ${JSON.stringify(output)}`);
    terminal.dispose();
  });
});
