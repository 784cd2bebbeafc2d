import * as assert from 'assert';
import { formatHop, parseDestination, parseHop, sameHop } from '../../../../src/ssh/config/userHostPort';

// The cases below were checked with OpenSSH 9.2's `ssh -G` (the parity fixtures 70 and 71 run them against it).
describe('[user@]host[:port] as OpenSSH reads it', () => {
  it('reads a destination as ssh.c does: last "@", no port outside ssh:// URIs', () => {
    assert.deepStrictEqual(parseDestination('worker'), { host: 'worker' });
    assert.deepStrictEqual(parseDestination('deploy@worker'), { user: 'deploy', host: 'worker' });
    assert.deepStrictEqual(parseDestination('a@b@worker'), { user: 'a@b', host: 'worker' });
    assert.deepStrictEqual(parseDestination('deploy@worker:2200'), { user: 'deploy', host: 'worker:2200' });
    assert.deepStrictEqual(parseDestination('deploy@[::1]'), { user: 'deploy', host: '[::1]' });
    assert.deepStrictEqual(parseDestination('ssh://de%41ploy;x=y@worker:2200/'), { user: 'deAploy', host: 'worker', port: 2200 });
    assert.strictEqual(parseDestination('@worker'), undefined);
    assert.strictEqual(parseDestination('ssh://deploy@worker/path'), undefined);
    assert.strictEqual(parseDestination('ssh://[::1]:22'), undefined, 'ssh refuses an IPv6 address in a URI');
  });

  it('reads a jump hop as parse_user_host_port does: port after the host, IPv6 in brackets', () => {
    assert.deepStrictEqual({ ...parseHop('u@hop:2201') }, { user: 'u', host: 'hop', port: 2201 });
    assert.deepStrictEqual({ ...parseHop('a@b@[::1]:22') }, { user: 'a@b', host: '::1', port: 22 });
    assert.deepStrictEqual({ ...parseHop('ssh://jumper@bastion.example:2222') }, { user: 'jumper', host: 'bastion.example', port: 2222 });
    assert.strictEqual(parseHop('@hop'), undefined);
    assert.strictEqual(parseHop('hop:notaport'), undefined);
    assert.strictEqual(parseHop('::1'), undefined, 'a bare IPv6 address needs brackets');
  });

  it('prints a hop as ssh -G does and compares hops field by field', () => {
    assert.strictEqual(formatHop({ user: 'u', host: '::1', port: 22 }), 'u@[::1]:22');
    assert.strictEqual(formatHop({ host: 'hop' }), 'hop');
    assert.ok(sameHop(parseHop('u@hop:22')!, { user: 'u', host: 'hop', port: 22 }));
    assert.ok(!sameHop({ host: 'hop' }, { host: 'hop', port: 22 }));
  });
});
