// Terminal input back-pressure: writes are paced by the channel's drain and what waits is
// bounded; a paste far larger than the bound into a remote that does not read is cut, not
// buffered, and everything accepted arrives once the remote reads (real sshd, real PTY).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { memoryLog, targetFor, testPool } from '../../support/targets';
import { startSshd, Sshd } from '../../support/sshd';
import { ConnectionPool } from '../../../src/ssh/pool';
import { shellQuote } from '../../../src/ssh/exec';
import { poolTerminalConnector } from '../../../src/terminal/sshConnectionAdapter';
import { MAX_QUEUED_INPUT_BYTES, WriteQueue } from '../../../src/terminal/writeQueue';

describe('terminal input back-pressure', function () {
  this.timeout(60_000);

  it('sends one chunk at a time, each after the previous drained, and drops past the bound', async () => {
    const sent: string[] = [];
    const drains: Array<() => void> = [];
    let droppedBytes = 0;
    const q = new WriteQueue(
      (d) => {
        sent.push(d.toString());
        return new Promise<void>((resolve) => drains.push(resolve));
      },
      (n) => (droppedBytes += n),
      10,
    );
    assert.ok(q.write(Buffer.from('abcd')));
    assert.ok(q.write(Buffer.from('efgh')));
    assert.ok(!q.write(Buffer.from('ijklm')), 'over the bound of 10');
    assert.deepStrictEqual(sent, ['abcd'], 'paused until the first drained');
    assert.strictEqual(q.pending, 8);
    assert.strictEqual(droppedBytes, 5);
    drains.shift()!();
    await new Promise((r) => setImmediate(r));
    assert.deepStrictEqual(sent, ['abcd', 'efgh'], 'resumed');
    assert.strictEqual(q.pending, 4);
    assert.ok(q.write(Buffer.from('ijklm')), 'room again');
  });

  describe('over real sshd', () => {
    let sshd: Sshd;
    let pool: ConnectionPool;
    before(async () => {
      sshd = await startSshd();
      pool = testPool({ targets: { box: targetFor(sshd) }, hostKeys: [sshd.hostKey.publicKey] });
    });
    after(async () => {
      await pool?.dispose();
      await sshd?.stop();
    });

    it('a 16 MiB paste into a remote that does not read keeps at most the bound queued; what was accepted all arrives', async () => {
      const go = path.join(sshd.root, 'go');
      const out = path.join(sshd.root, 'received');
      const connection = await poolTerminalConnector(pool, 'box', memoryLog())();
      try {
        // Raw mode: the PTY passes every byte; the remote reads only once `go` exists.
        const script = `stty raw -echo; echo ready; while [ ! -e ${shellQuote(go)} ]; do sleep 0.05; done; exec cat > ${shellQuote(out)}`;
        const channel = await connection.openPty({ command: `exec /bin/sh -c ${shellQuote(script)}`, term: 'xterm-256color', rows: 24, cols: 80 });
        await new Promise<void>((resolve) => {
          let seen = '';
          const sub = channel.onData((d) => {
            seen += d.toString();
            if (seen.includes('ready')) (sub.dispose(), resolve());
          });
        });
        let dropped = 0;
        channel.onDidDropInput((n) => (dropped += n));
        const chunk = Buffer.alloc(64 * 1024, 'x');
        let maxPending = 0;
        for (let i = 0; i < 256; i++) {
          channel.write(chunk);
          maxPending = Math.max(maxPending, channel.pendingInput);
          // Let the channel drain what the server's window takes, as a real paste's events would.
          if (i % 16 === 0) await new Promise((r) => setImmediate(r));
        }
        const accepted = 256 * chunk.length - dropped;
        assert.ok(maxPending <= MAX_QUEUED_INPUT_BYTES, `queued at most the bound (${maxPending})`);
        assert.ok(dropped > 0, 'a paste this far past the window and the bound is cut');
        assert.ok(accepted >= MAX_QUEUED_INPUT_BYTES, `what fits is kept (${accepted})`);
        fs.writeFileSync(go, '');
        // Nothing signals the remote's writes to this test: poll the file, bounded.
        const deadline = Date.now() + 30_000;
        const size = () => (fs.existsSync(out) ? fs.statSync(out).size : 0);
        while (size() < accepted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        assert.strictEqual(size(), accepted, 'every accepted byte arrived, in full');
        assert.strictEqual(channel.pendingInput, 0);
        channel.close();
      } finally {
        connection.dispose();
      }
    });
  });
});
