import * as assert from 'assert';
import { ForwardSpecError, formatForwardSpec, parseForwardSpec } from '../../../src/forwarding/forwardSpec';

const tcp = (host: string, port: number) => ({ kind: 'tcp', host, port });
const unix = (path: string) => ({ kind: 'unix', path });

describe('forward spec parser', () => {
  it('reads the local forms with 127.0.0.1 as the default bind address', () => {
    assert.deepStrictEqual(parseForwardSpec('3000'), { kind: 'local', listen: tcp('127.0.0.1', 3000), target: tcp('localhost', 3000) });
    assert.deepStrictEqual(parseForwardSpec(' 8080:localhost:80 '), { kind: 'local', listen: tcp('127.0.0.1', 8080), target: tcp('localhost', 80) });
    assert.deepStrictEqual(parseForwardSpec('db.internal:5432'), { kind: 'local', listen: tcp('127.0.0.1', 5432), target: tcp('db.internal', 5432) });
    assert.deepStrictEqual(parseForwardSpec('localhost:8080:10.0.0.5:80'), { kind: 'local', listen: tcp('localhost', 8080), target: tcp('10.0.0.5', 80) });
    assert.deepStrictEqual(parseForwardSpec('L 9000:web:80'), { kind: 'local', listen: tcp('127.0.0.1', 9000), target: tcp('web', 80) });
    assert.deepStrictEqual(parseForwardSpec('-L9000:web:80'), { kind: 'local', listen: tcp('127.0.0.1', 9000), target: tcp('web', 80) });
  });

  it('takes IPv6 addresses in brackets on either side', () => {
    assert.deepStrictEqual(parseForwardSpec('[::1]:5432'), { kind: 'local', listen: tcp('127.0.0.1', 5432), target: tcp('::1', 5432) });
    assert.deepStrictEqual(parseForwardSpec('[::1]:8080:[fe80::1%eth0]:80'), { kind: 'local', listen: tcp('::1', 8080), target: tcp('fe80::1%eth0', 80) });
    assert.deepStrictEqual(parseForwardSpec('D [::1]:1080'), { kind: 'dynamic', listen: tcp('::1', 1080) });
  });

  it('reads remote Unix sockets as targets of a local port or a local socket', () => {
    assert.deepStrictEqual(parseForwardSpec('2375:/var/run/docker.sock'), { kind: 'local', listen: tcp('127.0.0.1', 2375), target: unix('/var/run/docker.sock') });
    assert.deepStrictEqual(parseForwardSpec('/var/run/docker.sock'), { kind: 'local', listen: tcp('127.0.0.1', 0), target: unix('/var/run/docker.sock') });
    assert.deepStrictEqual(parseForwardSpec('/tmp/d.sock:/var/run/docker.sock'), { kind: 'local', listen: unix('/tmp/d.sock'), target: unix('/var/run/docker.sock') });
    assert.deepStrictEqual(parseForwardSpec('127.0.0.1:2375:/run/a.sock'), { kind: 'local', listen: tcp('127.0.0.1', 2375), target: unix('/run/a.sock') });
  });

  it('reads remote and dynamic forwards', () => {
    assert.deepStrictEqual(parseForwardSpec('R 9000:localhost:9000'), { kind: 'remote', listen: tcp('localhost', 9000), target: tcp('localhost', 9000) });
    assert.deepStrictEqual(parseForwardSpec('r 9000'), { kind: 'remote', listen: tcp('localhost', 9000), target: tcp('localhost', 9000) });
    assert.deepStrictEqual(parseForwardSpec('R 0.0.0.0:0:127.0.0.1:11434'), { kind: 'remote', listen: tcp('0.0.0.0', 0), target: tcp('127.0.0.1', 11434) });
    assert.deepStrictEqual(parseForwardSpec('R 9000:/tmp/agent.sock'), { kind: 'remote', listen: tcp('localhost', 9000), target: unix('/tmp/agent.sock') });
    assert.deepStrictEqual(parseForwardSpec('D 1080'), { kind: 'dynamic', listen: tcp('127.0.0.1', 1080) });
    assert.deepStrictEqual(parseForwardSpec('-D1080'), { kind: 'dynamic', listen: tcp('127.0.0.1', 1080) });
    assert.deepStrictEqual(parseForwardSpec('D localhost:1080'), { kind: 'dynamic', listen: tcp('localhost', 1080) });
  });

  it('formats a spec so that it parses back to the same spec', () => {
    for (const s of ['3000', 'db.internal:5432', '[::1]:8080:[::1]:80', 'R 9000:localhost:9000', 'D 1080', '2375:/var/run/docker.sock', '/a.sock:/b.sock']) {
      const spec = parseForwardSpec(s);
      assert.deepStrictEqual(parseForwardSpec(formatForwardSpec(spec)), spec, s);
    }
  });

  it('refuses bad input with a message that says what is wrong', () => {
    const bad: [string, RegExp][] = [
      ['', /empty/],
      ['   ', /empty/],
      ['70000', /out of range/],
      ['0', /out of range/],
      ['abc', /not a port/],
      ['8080:localhost', /remote port is missing/],
      ['8080:localhost:', /ends with ":"/],
      ['::1:5432', /brackets/],
      ['[::1:5432', /closing "\]"/],
      ['[nothex]:80', /not an IPv6 address/],
      ['1:2:3:4:5', /too many/],
      ['8080:local host:80', /unexpected space/],
      ['8080:bad/host:80', /not a valid host name/], ['8080:relative.sock', /remote port is missing/], ['99999:/run/x.sock', /out of range/],
      ['8080:-x!:80', /not a valid host name/],
      ['D 1:2:3', /dynamic/],
      ['D', /nothing after "D"|not a port/],
      ['R 9000:localhost', /remote forward/],
      ['30\u000100', /control characters/],
      ['x'.repeat(2000), /longer than/],
    ];
    for (const [input, why] of bad) {
      assert.throws(
        () => parseForwardSpec(input),
        (e: unknown) => e instanceof ForwardSpecError && why.test(e.message),
        `${JSON.stringify(input)} should fail with ${why}`,
      );
    }
  });
});
