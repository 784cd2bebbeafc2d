import * as assert from 'assert';
import { fromConfigForward } from '../../../src/forwarding/configForwards';
import { parseForward } from '../../../src/ssh/config/forwards';

/** Parses a config line's argument as src/ssh/config does, then converts it. */
const convert = (arg: string, kind: 'local' | 'remote' | 'dynamic') => fromConfigForward(parseForward(arg, kind === 'dynamic', kind === 'remote')!, kind);

describe('ssh config forwards as forward specs', () => {
  it('binds the loopback (both families) when the line names no address, as OpenSSH does', () => {
    assert.deepStrictEqual(convert('8080:localhost:80', 'local'), { spec: { kind: 'local', listen: { kind: 'tcp', host: 'localhost', port: 8080 }, target: { kind: 'tcp', host: 'localhost', port: 80 } } });
    assert.deepStrictEqual(convert('1080', 'dynamic'), { spec: { kind: 'dynamic', listen: { kind: 'tcp', host: 'localhost', port: 1080 } } });
    assert.deepStrictEqual(convert('9000:127.0.0.1:9000', 'remote'), { spec: { kind: 'remote', listen: { kind: 'tcp', host: 'localhost', port: 9000 }, target: { kind: 'tcp', host: '127.0.0.1', port: 9000 } } });
  });

  it('keeps named addresses and Unix sockets', () => {
    assert.deepStrictEqual(convert('[::1]:5432:db.internal:5432', 'local'), { spec: { kind: 'local', listen: { kind: 'tcp', host: '::1', port: 5432 }, target: { kind: 'tcp', host: 'db.internal', port: 5432 } } });
    assert.deepStrictEqual(convert('2375:/var/run/docker.sock', 'local'), { spec: { kind: 'local', listen: { kind: 'tcp', host: 'localhost', port: 2375 }, target: { kind: 'unix', path: '/var/run/docker.sock' } } });
    assert.deepStrictEqual(convert('/tmp/d.sock:/var/run/docker.sock', 'local'), { spec: { kind: 'local', listen: { kind: 'unix', path: '/tmp/d.sock' }, target: { kind: 'unix', path: '/var/run/docker.sock' } } });
  });

  it('skips, with a reason, what is not supported', () => {
    assert.ok('skipped' in convert('/tmp/socks.sock', 'dynamic'));
    assert.ok('skipped' in convert('/tmp/remote.sock:localhost:80', 'remote'));
  });
});
