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

  it('is never reachable by others, not even between its bind and the listen callback, and never changes the process umask', async () => {
    const sock = path.join(dir, 'forward.sock');
    // Under umask 0 a socket made by bind(2) alone is srwxrwxrwx: anyone could connect.
    const umask = process.umask(0);
    // bind(2) runs inside listen() for a path: right after it, the socket must be 0600 or in a
    // directory only this user can enter.
    const listen = net.Server.prototype.listen;
    const atBind: string[] = [];
    net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
      const result = (listen as (...a: unknown[]) => net.Server).apply(this, args);
      if (typeof args[0] === 'string') {
        const where = fs.statSync(path.dirname(args[0]));
        atBind.push((fs.statSync(args[0]).mode & 0o077) === 0 || (where.mode & 0o077) === 0 ? 'private' : `open: ${args[0]}`);
      }
      return result;
    } as typeof listen;
    // The umask is process-wide: file operations on other threads would get whatever it is set to.
    const realUmask = process.umask;
    const umaskChanges: unknown[] = [];
    process.umask = ((mask?: number) => {
      if (mask !== undefined) umaskChanges.push(mask);
      return mask === undefined ? realUmask() : realUmask(mask);
    }) as typeof process.umask;
    let bound;
    try {
      bound = await bindListeners({ kind: 'unix', path: sock }, (s) => s.destroy());
    } finally {
      process.umask = realUmask;
      net.Server.prototype.listen = listen;
      process.umask(umask);
    }
    try {
      assert.deepStrictEqual(atBind, ['private']);
      assert.deepStrictEqual(umaskChanges, [], 'the umask is never changed');
      assert.strictEqual((fs.statSync(sock).mode & 0o777).toString(8), '600');
      assert.deepStrictEqual(fs.readdirSync(dir), ['forward.sock'], 'no staging directory left');
      await new Promise<void>((resolve, reject) => net.connect(sock).once('connect', resolve).once('error', reject));
    } finally {
      await bound.close();
    }
    assert.ok(!fs.existsSync(sock), 'removed when closed');
  });

  it('refuses a path where something, even a dangling symlink, already is', async () => {
    const sock = path.join(dir, 'forward.sock');
    fs.symlinkSync(path.join(dir, 'elsewhere'), sock);
    await assert.rejects(bindListeners({ kind: 'unix', path: sock }, (s) => s.destroy()), /already exists/);
    assert.ok(!fs.existsSync(path.join(dir, 'elsewhere')), 'nothing made through the link');
  });
});
