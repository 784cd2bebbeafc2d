import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { bindListeners } from '../../../src/forwarding/localListeners';

describe('local Unix socket listener', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-listen-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is never group- or world-accessible, not even between its bind and the listen callback', async () => {
    const sock = path.join(dir, 'forward.sock');
    // Under umask 0 a socket made by bind(2) alone is srwxrwxrwx: anyone could connect.
    const umask = process.umask(0);
    // bind(2) runs inside listen() for a path: the mode right after it returns is what another
    // user could use before any later chmod.
    const listen = net.Server.prototype.listen;
    const modesAtBind: number[] = [];
    net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
      const result = (listen as (...a: unknown[]) => net.Server).apply(this, args);
      if (args[0] === sock) modesAtBind.push(fs.statSync(sock).mode & 0o777);
      return result;
    } as typeof listen;
    let bound;
    try {
      bound = await bindListeners({ kind: 'unix', path: sock }, (s) => s.destroy());
    } finally {
      net.Server.prototype.listen = listen;
      process.umask(umask);
    }
    try {
      assert.deepStrictEqual(modesAtBind.map((m) => m.toString(8)), ['600']);
      assert.strictEqual((fs.statSync(sock).mode & 0o777).toString(8), '600');
      assert.strictEqual(process.umask(), umask, 'the umask is put back');
    } finally {
      await bound.close();
    }
  });
});
