// Persistent sandbox terminals in the real editor: with `terminal.persistentSessions` on `auto`
// (the default) and tmux on the sandbox (this machine), a terminal runs in its own tmux session
// of our tmux server, closing the terminal ends that session, and the shell's exit status still
// closes the terminal with its code; with `off` the shell is a plain one.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { addTestHost, removeTestHosts, TestHost, tmuxSessionAlive } from './fsHosts';

const hostNode = (name: string) => ({ kind: 'host', host: { name, source: 'settings', enabled: true } });

function closed(terminal: vscode.Terminal): Promise<vscode.TerminalExitStatus | undefined> {
  return new Promise((resolve) => {
    const sub = vscode.window.onDidCloseTerminal((t) => {
      if (t !== terminal) return;
      sub.dispose();
      resolve(t.exitStatus);
    });
  });
}

/**
 * Runs `command` by typing it and reads what it wrote to a file on the sandbox (this machine):
 * these tests check what the remote did without VS Code's shell integration (terminal.test.ts
 * covers that, through tmux too).
 */
async function run(terminal: vscode.Terminal, command: string, folder: string): Promise<string> {
  const out = path.join(folder, `out-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  terminal.sendText(`{ ${command}; } > ${out}.tmp 2>&1; mv ${out}.tmp ${out}`);
  // Nothing signals a remote file's arrival to this test: poll it, bounded.
  for (let i = 0; i < 200 && !fs.existsSync(out); i++) await new Promise((r) => setTimeout(r, 100));
  return fs.readFileSync(out, 'utf8');
}

describe('persistent sandbox terminals (tmux)', function () {
  this.timeout(60000);
  let host: TestHost;
  const config = () => vscode.workspace.getConfiguration('sandboxExplorer');

  before(async () => {
    host = await addTestHost('tmux-box');
  });
  after(async () => {
    await config().update('terminal.persistentSessions', undefined, vscode.ConfigurationTarget.Global);
    await removeTestHosts();
  });

  it('by default runs each terminal in its own tmux session; closing the terminal ends it', async () => {
    await config().update('terminal.persistentSessions', undefined, vscode.ConfigurationTarget.Global);
    const terminal = await vscode.commands.executeCommand<vscode.Terminal>('sandboxExplorer.terminal.open', hostNode(host.name));
    const output = await run(terminal, `echo "session=$(tmux display-message -p '#S')"`, host.folder('tmux'));
    const name = /session=(sbx-[a-z0-9-]+)/.exec(output)?.[1];
    assert.ok(name, `not in a tmux session of ours: ${JSON.stringify(output)}`);
    assert.match(name, /^sbx-tmuxbox-[0-9a-f]{12}$/);
    assert.ok(tmuxSessionAlive(host, name));
    const gone = closed(terminal);
    terminal.dispose();
    await gone;
    // Nothing signals the remote session's end: poll it, bounded.
    for (let i = 0; i < 100 && tmuxSessionAlive(host, name); i++) await new Promise((r) => setTimeout(r, 100));
    assert.strictEqual(tmuxSessionAlive(host, name), false, 'closing the terminal killed its tmux session');
  });

  it('closes with the shell\'s exit status from inside tmux', async () => {
    const terminal = await vscode.commands.executeCommand<vscode.Terminal>('sandboxExplorer.terminal.open', hostNode(host.name));
    assert.match(await run(terminal, 'echo "in=${TMUX:+tmux}"', host.folder('tmux')), /in=tmux/);
    const status = closed(terminal);
    terminal.sendText('exit 5');
    assert.strictEqual((await status)?.code, 5);
  });

  it('with persistentSessions "off" the terminal is a plain shell', async () => {
    await config().update('terminal.persistentSessions', 'off', vscode.ConfigurationTarget.Global);
    const terminal = await vscode.commands.executeCommand<vscode.Terminal>('sandboxExplorer.terminal.open', hostNode(host.name));
    assert.match(await run(terminal, 'echo "in=${TMUX:-plain}"', host.folder('plain')), /in=plain/);
    terminal.dispose();
  });
});
