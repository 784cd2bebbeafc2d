// A stuck SFTP request: against real sshd whose sftp-server is a process of its own that the
// test stops (SIGSTOP), the way a dead network mount stops it in the middle of a request.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { RemoteSessions } from '../../../src/fs/remoteSessions';
import { ConnectionPool } from '../../../src/ssh/pool';
import { SftpError, STATUS_CODE } from '../../../src/ssh/sftp';
import { descendants, SFTP_SERVER_PATH, startSshd, Sshd } from '../../support/sshd';
import { memoryLog, targetFor, testPool } from '../../support/targets';
import { writePlain } from '../../support/sftpWrite';

/** The sftp-server processes under sshd right now. */
function sftpServers(server: Sshd): number[] {
  return descendants(server.pid).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sftp-server';
    } catch {
      return false;
    }
  });
}

/** Resolves what `work` rejects with (handled at once: an early failure is no unhandled rejection). */
function failure(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => new Error('it succeeded'),
    (err: unknown) => err,
  );
}

describe('RemoteSessions: a stuck SFTP request (real sshd, sftp-server stopped)', function () {
  this.timeout(60000);
  let server: Sshd;
  let pool: ConnectionPool;
  let sessions: RemoteSessions;
  const stopped: number[] = [];
  const log = memoryLog();

  before(async function () {
    if (!SFTP_SERVER_PATH) this.skip();
    server = await startSshd({ sftpServer: SFTP_SERVER_PATH });
    // A small deadline so the test is quick; the default is 60 s.
    pool = testPool({ targets: { box: targetFor(server) }, hostKeys: [server.hostKey.publicKey], settings: { sftpRequestTimeoutMs: 1000 }, log });
    sessions = new RemoteSessions(pool, log);
  });
  after(async () => {
    for (const pid of stopped) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        /* gone */
      }
    }
    await pool?.dispose();
    await server?.stop();
  });

  it('fails the stuck request, reopens the channel, retries waiting reads once and never a write', async () => {
    const dir = path.join(server.root, 'stuck');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'a.txt'), 'alpha');
    fs.writeFileSync(path.join(dir, 'b.txt'), 'bravo');
    await sessions.run('box', (s) => s.stat(dir));
    const [first] = sftpServers(server);
    assert.ok(first, 'sftp-server runs as a process of its own');
    process.kill(first, 'SIGSTOP');
    stopped.push(first);

    // Sent in this order on the one channel: the first is the oldest, so it times out first.
    const stuck = failure(sessions.run('box', (s) => s.stat(path.join(dir, 'a.txt'))));
    const retriedRead = sessions.runIdempotent('box', (s) => s.readFile(path.join(dir, 'b.txt')));
    const retriedList = sessions.runIdempotent('box', (s) => s.readdir(dir));
    const write = failure(sessions.run('box', (s) => writePlain(s, path.join(dir, 'c.txt'), Buffer.from('charlie'))));

    const timedOut = await stuck;
    assert.ok(SftpError.is(timedOut, STATUS_CODE.CONNECTION_LOST) && timedOut.reason === 'timeout' && /no answer within 1 s/.test(timedOut.message), String(timedOut));
    assert.strictEqual((await retriedRead).toString(), 'bravo');
    assert.deepStrictEqual((await retriedList).map((e) => e.name).sort(), ['a.txt', 'b.txt']);
    const notRetried = await write;
    assert.ok(SftpError.is(notRetried, STATUS_CODE.CONNECTION_LOST) && notRetried.reason === 'channel-reset', String(notRetried));

    // The old sftp-server is still stopped; the new channel has a server of its own and answers.
    const now = sftpServers(server);
    assert.ok(now.includes(first) && now.length === 2, `sftp-servers: ${now.join(', ')}`);
    assert.strictEqual((await sessions.run('box', (s) => s.stat(path.join(dir, 'a.txt')))).size, 5);
    assert.ok(log.lines.some((l) => /stat .*a\.txt: no answer within 1 s; the SFTP channel is reopened/.test(l)), log.lines.join('\n'));
  });
});
