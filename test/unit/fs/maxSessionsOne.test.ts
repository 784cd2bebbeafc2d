// A host whose sshd allows one session channel (MaxSessions 1): the SFTP channel takes it, so
// nothing else that needs a session (the `id` exec behind write checks, the watcher's inotifywait)
// can ever run beside it. File operations must still work, in bounded time.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { RemoteSessions } from '../../../src/fs/remoteSessions';
import { HostWatch, WatchStarted } from '../../../src/fs/watch/hostWatch';
import { ConnectionPool } from '../../../src/ssh/pool';
import { startSshd, Sshd } from '../../support/sshd';
import { memoryLog, targetFor, testPool } from '../../support/targets';

describe('file operations on a host with MaxSessions 1 (real sshd)', function () {
  this.timeout(60000);
  let server: Sshd;
  let pool: ConnectionPool;
  let sessions: RemoteSessions;
  const log = memoryLog();

  before(async () => {
    server = await startSshd({ maxSessions: 1 });
    pool = testPool({ targets: { box: targetFor(server) }, hostKeys: [server.hostKey.publicKey], log });
    sessions = new RemoteSessions(pool, log);
  });
  after(async () => {
    await pool?.dispose();
    await server?.stop();
  });

  it('stats, lists, writes and reads; asking who we are gives up instead of waiting for a session', async () => {
    const dir = path.join(server.root, 'one');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'a.txt'), 'alpha');
    const result = await sessions.run('box', async (s, connection) => {
      const attrs = await s.stat(path.join(dir, 'a.txt'));
      const names = (await s.readdir(dir)).map((e) => e.name).filter((n) => n !== '.' && n !== '..');
      await s.writeFileAtomic(path.join(dir, 'b.txt'), Buffer.from('beta'));
      const read = (await s.readFile(path.join(dir, 'b.txt'))).toString();
      const identity = await sessions.identity(connection);
      return { size: attrs.size, names, read, identity };
    });
    assert.deepStrictEqual({ ...result, names: result.names.sort() }, { size: 5, names: ['a.txt'], read: 'beta', identity: undefined });
    // Given up as soon as the server's limit was known, not after the exec's 10 s timeout.
    assert.ok(log.lines.some((l) => /allows one session at a time, which SFTP holds/.test(l)), log.lines.join('\n'));
    assert.ok(!log.lines.some((l) => /id → timeout/.test(l)), log.lines.join('\n'));
  });

  it('watches by polling: inotifywait could never get a session', async () => {
    const dir = path.join(server.root, 'watched');
    fs.mkdirSync(dir);
    const created = path.join(dir, 'new.txt');
    let sawCreated!: () => void;
    const sawIt = new Promise<void>((resolve) => (sawCreated = resolve));
    const starts: WatchStarted[] = [];
    const watch = new HostWatch('box', pool, sessions, (changes) => changes.some((c) => c.path === created) && sawCreated(), log);
    try {
      const started = new Promise<void>((resolve) => watch.onDidStart((s) => (starts.push(s), resolve())));
      watch.add(dir, true);
      await started;
      assert.deepStrictEqual(starts.map((s) => s.polling), [true]);
      fs.writeFileSync(created, 'n');
      await sawIt;
      assert.ok(log.lines.some((l) => /watch box: the server allows one session at a time/.test(l)), log.lines.join('\n'));
    } finally {
      watch.dispose();
    }
  });
});
