// A window reload must keep the tmux sessions of its terminals: the extension is deactivated
// (SandboxTerminals disposed) before, or instead of, each terminal's close event, and a close
// seen after that is the window's, never the user's (review #9). Real sshd and real tmux.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { Logger } from '../../src/common/log';
import { SandboxPseudoterminal } from '../../src/terminal/sandboxPseudoterminal';
import { SandboxTerminals } from '../../src/terminal/sandboxTerminals';
import { targetFor, testPool } from '../support/targets';
import { addTestHost, removeTestHosts, TestHost, tmuxSessionAlive } from './fsHosts';

/** A logger whose lines can be awaited. */
function waitableLog() {
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  const push = (m: string | Error) => {
    lines.push(String(m));
    for (const w of waiters.filter((w) => w.re.test(String(m)))) w.resolve();
  };
  const log: Logger = { trace: push, debug: push, info: push, warn: push, error: push };
  const waitFor = (re: RegExp) => (lines.some((l) => re.test(l)) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ re, resolve })));
  return { log, lines, waitFor };
}

describe('sandbox terminals across a window reload', function () {
  this.timeout(60000);
  let host: TestHost;
  const config = () => vscode.workspace.getConfiguration('sandboxExplorer');

  before(async () => {
    host = await addTestHost('reload-box');
    await config().update('terminal.persistentSessions', 'auto', vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    await config().update('terminal.persistentSessions', undefined, vscode.ConfigurationTarget.Global);
    await removeTestHosts();
  });

  it('a terminal closed after the extension was disposed keeps its tmux session', async () => {
    const pool = testPool({ targets: { box: targetFor(host.sshd) }, hostKeys: [host.sshd.hostKey.publicKey] });
    const data = new Map<string, unknown>();
    const state = { keys: () => [...data.keys()], get: <T>(k: string, d?: T) => (data.has(k) ? (data.get(k) as T) : d), update: async (k: string, v: unknown) => void data.set(k, v) } as vscode.Memento;
    const { log, lines, waitFor } = waitableLog();
    const terminals = new SandboxTerminals({ pool, scheme: 'sbx', state, setEnv: async () => ({}), log });
    let name: string | undefined;
    try {
      const pty = (await terminals.create('box')).pty as SandboxPseudoterminal;
      const opened = new Promise<void>((resolve) => pty.onDidOpenChannel(() => resolve()));
      pty.open({ columns: 80, rows: 24 });
      await opened;
      assert.ok(pty.persistent, `not in tmux: ${lines.join('\n')}`);
      name = /sbx-box-[0-9a-f]{12}/.exec(JSON.stringify([...data.values()]))?.[0];
      assert.ok(name, 'the session is remembered');
      // The attach command creates the session as the channel opens: poll it, bounded.
      for (let i = 0; i < 100 && !tmuxSessionAlive(host, name); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(tmuxSessionAlive(host, name));

      // Deactivation, then the pseudoterminal's close without any onDidCloseTerminal.
      terminals.dispose();
      pty.close();
      await waitFor(/the window is closing, its tmux session sbx-box-[0-9a-f]{12} is kept/);
      assert.ok(tmuxSessionAlive(host, name), 'the session survived');
      assert.ok(JSON.stringify([...data.values()]).includes(name), 'and is still remembered');
    } finally {
      if (name) host.sshd.tmux('sandbox-explorer', 'kill-session', '-t', `=${name}`);
      await pool.dispose();
    }
  });
});
