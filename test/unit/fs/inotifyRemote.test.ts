import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { inotifyCommand, parseInotifyLine, RemoteChange } from '../../../src/fs/watch/inotifyEvents';
import { shellQuote } from '../../../src/ssh/exec';
import { startSshd } from '../../support/sshd';
import { targetFor, testPool } from '../../support/targets';
import { hasInotifywait, inotifywaitsUnder, until } from './watchSupport';

describe('the remote inotifywait command (real sshd)', function () {
  this.timeout(30000);

  it('reports changes, and ends on the remote when its channel closes', async function () {
    if (!hasInotifywait) this.skip();
    const server = await startSshd();
    const pool = testPool({ targets: { box: targetFor(server) }, hostKeys: [server.hostKey.publicKey] });
    try {
      const ref = await pool.acquire('box');
      const connection = await ref.connection();
      const dir = path.join(server.root, 'watched');
      fs.mkdirSync(dir);
      const channel = await connection.exec(inotifyCommand([dir], true, shellQuote), {});
      const seen: RemoteChange[] = [];
      channel.onData((d) => d.toString().split('\n').map(parseInotifyLine).forEach((c) => c && seen.push(c)));
      // Without -q, inotifywait says so on stderr once every watch is set.
      let stderr = '';
      const established = new Promise<void>((resolve) =>
        channel.onStderr((d) => {
          stderr += d.toString();
          if (/Watches established/.test(stderr)) resolve();
        }),
      );
      await established;
      assert.strictEqual(inotifywaitsUnder(server.pid, dir), 1);
      fs.writeFileSync(path.join(dir, 'a.txt'), 'x');
      await until('a created event', () => seen.some((c) => c.kind === 'created' && c.path === path.join(dir, 'a.txt')));
      channel.close();
      await until('inotifywait to end after the channel closed', () => inotifywaitsUnder(server.pid, dir) === 0);

      ref.release();
    } finally {
      await pool.dispose();
      await server.stop();
    }
  });
});
