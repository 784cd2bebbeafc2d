// Changes made on the remote by someone else reach the editor: watcher events and open
// editors that reload. The "remote" disk is this machine, so the test edits it directly.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { addTestHost, removeTestHosts, TestHost } from './fsHosts';

function waitFor<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = async () => {
      const value = await probe();
      if (value !== undefined) return resolve(value);
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 100);
    };
    void tick();
  });
}

function collect(watcher: vscode.FileSystemWatcher): Array<[string, string]> {
  const seen: Array<[string, string]> = [];
  watcher.onDidCreate((u) => seen.push(['created', u.path]));
  watcher.onDidChange((u) => seen.push(['changed', u.path]));
  watcher.onDidDelete((u) => seen.push(['deleted', u.path]));
  return seen;
}

describe('remote changes reach the editor', function () {
  this.timeout(60000);
  let host: TestHost;
  let pollingHost: TestHost;

  before(async () => {
    host = await addTestHost('watch-box');
    // No inotifywait on PATH for this host's sessions: the watcher must fall back to polling.
    pollingHost = await addTestHost('watch-poll', { extraConfig: ['SetEnv PATH=/nonexistent'] });
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await removeTestHosts();
  });

  it('reports files created, changed and deleted by someone else (inotifywait)', async () => {
    const dir = host.folder('watched');
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(host.uri(dir), '**/*'));
    const seen = collect(watcher);
    try {
      await new Promise((r) => setTimeout(r, 1500)); // the remote watch starts
      fs.writeFileSync(path.join(dir, 'from-agent.txt'), 'hello');
      await waitFor('a created event', 10000, () => (seen.some(([k, p]) => k === 'created' && p.endsWith('/from-agent.txt')) ? true : undefined));
      fs.rmSync(path.join(dir, 'from-agent.txt'));
      await waitFor('a deleted event', 10000, () => (seen.some(([k, p]) => k === 'deleted' && p.endsWith('/from-agent.txt')) ? true : undefined));
    } finally {
      watcher.dispose();
    }
  });

  it('reloads an open, unmodified editor when the file changes on the remote', async () => {
    const dir = host.folder('editor');
    const file = path.join(dir, 'notes.md');
    fs.writeFileSync(file, 'first version\n');
    const doc = await vscode.workspace.openTextDocument(host.uri(file));
    await vscode.window.showTextDocument(doc);
    assert.strictEqual(doc.getText(), 'first version\n');
    await new Promise((r) => setTimeout(r, 1500));
    fs.writeFileSync(file, 'changed by a build on the sandbox\n');
    await waitFor('the editor to reload', 15000, () => (doc.getText() === 'changed by a build on the sandbox\n' ? true : undefined));
  });

  it('reloads an open editor after a checkout-sized burst of changes in its folder', async () => {
    const dir = host.folder('checkout');
    const file = path.join(dir, 'main.ts');
    fs.writeFileSync(file, 'before checkout\n');
    const doc = await vscode.workspace.openTextDocument(host.uri(file));
    await vscode.window.showTextDocument(doc);
    await new Promise((r) => setTimeout(r, 1500));
    // Like `git checkout`: thousands of files change at once, the open one among them.
    for (let i = 0; i < 3000; i++) fs.writeFileSync(path.join(dir, `gen-${i}.ts`), `export const n = ${i};\n`);
    fs.writeFileSync(file, 'after checkout\n');
    await waitFor('the editor to reload after the burst', 20000, () => (doc.getText() === 'after checkout\n' ? true : undefined));
  });

  it('does not echo our own save back as an outside change', async () => {
    const dir = host.folder('own');
    fs.writeFileSync(path.join(dir, 'mine.txt'), 'v1');
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(host.uri(dir), '**/*'));
    const seen = collect(watcher);
    try {
      await new Promise((r) => setTimeout(r, 1500));
      await vscode.workspace.fs.readFile(host.uri(`${dir}/mine.txt`));
      await vscode.workspace.fs.writeFile(host.uri(`${dir}/mine.txt`), new TextEncoder().encode('v2'));
      await new Promise((r) => setTimeout(r, 2000));
      const forFile = seen.filter(([, p]) => p.endsWith('/mine.txt'));
      assert.ok(forFile.length <= 1, `our save produced ${forFile.length} events: ${JSON.stringify(forFile)}`);
      assert.ok(!seen.some(([, p]) => p.includes('.sbx-')), 'temp files never surface');
    } finally {
      watcher.dispose();
    }
  });

  it('falls back to polling when the remote has no inotifywait', async () => {
    const dir = pollingHost.folder('polled');
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(pollingHost.uri(dir), '**/*'));
    const seen = collect(watcher);
    try {
      // The first poll takes a snapshot; only what changes after it is reported.
      await new Promise((r) => setTimeout(r, 3000));
      fs.writeFileSync(path.join(dir, 'polled.txt'), 'x');
      await waitFor('a created event from polling', 20000, () => (seen.some(([k, p]) => k === 'created' && p.endsWith('/polled.txt')) ? true : undefined));
    } finally {
      watcher.dispose();
    }
  });
});
