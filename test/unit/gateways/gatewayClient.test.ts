// The gateway client against a local server that implements the published contract.
import * as assert from 'assert';
import { checkBaseUrl, GatewayClient } from '../../../src/gateways/api/gatewayClient';
import { GatewayError } from '../../../src/gateways/api/gatewayError';
import { GatewayServer, startGatewayServer } from '../../support/gatewayServer';

describe('sandbox gateway API client', function () {
  this.timeout(20000);
  let server: GatewayServer;
  const sandbox = { host: '127.0.0.1', port: 2222, username: 'rs-abc123-default-x7k9m' };
  beforeEach(async () => {
    server = await startGatewayServer({ token: 'tok-123', sandboxes: { 'rs-abc123-default-x7k9m': sandbox, 'odd.id#2': { ...sandbox, username: 'odd.id#2' } } });
  });
  afterEach(async () => server.close());
  const client = (token = 'tok-123', options = {}) => new GatewayClient({ name: 'acme', baseUrl: `${server.url}/` }, async () => token, options);

  it('resolves a sandbox id (with -, . and #) to its SSH endpoint, sending the token as Bearer', async () => {
    assert.deepStrictEqual(await client().sandbox('rs-abc123-default-x7k9m'), { ...sandbox, hostKey: undefined, hostKeyFingerprint: undefined });
    assert.strictEqual((await client().sandbox('odd.id#2')).username, 'odd.id#2');
    assert.deepStrictEqual(server.requests.map((r) => [r.method, r.path, r.auth]), [
      ['GET', '/api/v1/sandboxes/rs-abc123-default-x7k9m', 'Bearer tok-123'],
      ['GET', '/api/v1/sandboxes/odd.id%232', 'Bearer tok-123'],
    ]);
  });

  it('a rejected token is one request and a token-rejected error that does not contain the token', async () => {
    await assert.rejects(client('wrong-secret').sandbox('rs-abc123-default-x7k9m'), (e: unknown) => GatewayError.is(e, 'token-rejected') && !e.message.includes('wrong-secret') && e.status === 401);
    assert.strictEqual(server.requests.length, 1);
  });

  it('404 → no such sandbox; garbage, wrong shapes and huge answers → bad-response naming the gateway; nothing thrown but GatewayError', async () => {
    await assert.rejects(client().sandbox('missing'), (e: unknown) => GatewayError.is(e, 'not-found') && /acme: no such sandbox missing/.test(e.message));
    await assert.rejects(client().sandbox('gone#secret-token'), (e: unknown) => GatewayError.is(e, 'not-found') && /no such sandbox gone#…$/.test(e.message) && !e.message.includes('secret'));
    server.options = { ...server.options, rawBody: '{"ssh": {"host": "evil host", "port": 22, "username": "u"}}' };
    await assert.rejects(client().sandbox('rs-abc123-default-x7k9m'), (e: unknown) => GatewayError.is(e, 'bad-response') && /acme answered with an unusable ssh.host/.test(e.message));
    server.options = { ...server.options, rawBody: '{"ssh": {"host": "-oProxyCommand=x", "port": 22, "username": "u"}}' };
    await assert.rejects(client().sandbox('rs-abc123-default-x7k9m'), /unusable ssh.host/);
    server.options = { ...server.options, rawBody: '{"ssh": {"host": "h", "port": 70000, "username": "u"}}' };
    await assert.rejects(client().sandbox('rs-abc123-default-x7k9m'), /unusable ssh.port/);
    server.options = { ...server.options, rawBody: '<html>oops' };
    await assert.rejects(client().sandbox('rs-abc123-default-x7k9m'), /acme answered with something that is not JSON/);
    server.options = { ...server.options, rawBody: undefined, hugeBytes: 2 * 1024 * 1024 };
    await assert.rejects(client().sandbox('rs-abc123-default-x7k9m'), /larger than 1048576 bytes/);
    await assert.rejects(client().sandbox('..'), (e: unknown) => GatewayError.is(e, 'bad-response') && /not a sandbox id/.test(e.message));
  });

  it('refuses a hostile ssh.username and skips hostile listed ids (they would reach %r in key and known_hosts paths)', async () => {
    for (const username of ['../../.ssh/x', 'a/b', '-oProxyCommand=x', '#tok', 'a..b', 'a b', 'a\\b', 'x'.repeat(129), 'a;b', 'a$b', '%r']) {
      server.options = { ...server.options, rawBody: JSON.stringify({ ssh: { host: 'h', port: 22, username } }) };
      await assert.rejects(client().sandbox('rs-abc123-default-x7k9m'), (e: unknown) => GatewayError.is(e, 'bad-response') && /acme answered with an unusable ssh.username/.test(e.message), username);
    }
    server.options = { ...server.options, rawBody: JSON.stringify({ ssh: { host: 'h', port: 22, username: 'odd.id#2' } }) };
    assert.strictEqual((await client().sandbox('rs-abc123-default-x7k9m')).username, 'odd.id#2');
    server.options = { ...server.options, rawBody: JSON.stringify(['ok-1', '..', '../x', 'a/b', '-x', '#t', 'a b', 'a..b', 'u@x+y_z.1', 'x'.repeat(129), '$(id)']) };
    assert.deepStrictEqual(await client().sandboxes(), ['ok-1', 'u@x+y_z.1']);
  });

  it('a slow resume answers within the timeout; past it, a timeout error', async () => {
    server.options = { ...server.options, resumeDelayMs: 600 };
    assert.strictEqual((await client('tok-123', { timeoutMs: 5000 }).sandbox('rs-abc123-default-x7k9m')).port, 2222);
    await assert.rejects(client('tok-123', { timeoutMs: 200 }).sandbox('rs-abc123-default-x7k9m'), (e: unknown) => GatewayError.is(e, 'timeout') && /acme did not answer within 0.2 s/.test(e.message));
  });

  it('lists sandboxes when the platform does; uploads, lists and deletes SSH keys', async () => {
    assert.deepStrictEqual(await client().sandboxes(), ['rs-abc123-default-x7k9m', 'odd.id#2']);
    await client().addKey('laptop', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB3 me@laptop');
    const keys = await client().keys();
    assert.deepStrictEqual(keys.map((k) => [k.id, k.name, k.publicKey, k.keyType]), [['1', 'laptop', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB3 me@laptop', 'ssh-ed25519']]);
    await client().deleteKey('1');
    assert.deepStrictEqual(await client().keys(), []);
    await assert.rejects(client().deleteKey('1'), (e: unknown) => GatewayError.is(e, 'not-found'));
    const post = server.requests.find((r) => r.method === 'POST')!;
    assert.deepStrictEqual(JSON.parse(post.body), { name: 'laptop', public_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB3 me@laptop' });
  });

  it('refuses a base URL that would send the token in clear text or carries credentials', () => {
    assert.throws(() => checkBaseUrl('http://gateway.example.com'), /must use https/);
    assert.throws(() => checkBaseUrl('https://user:pw@gateway.example.com'), /must not carry/);
    assert.strictEqual(checkBaseUrl('https://gateway.example.com/base/').pathname, '/base');
    assert.strictEqual(checkBaseUrl('http://127.0.0.1:8080').host, '127.0.0.1:8080');
  });

  it('an unreachable gateway is a clear error', async () => {
    const port = Number(new URL(server.url).port);
    await server.close();
    await assert.rejects(new GatewayClient({ name: 'acme', baseUrl: `http://127.0.0.1:${port}` }, async () => 't').sandbox('x'), (e: unknown) => GatewayError.is(e, 'unreachable') && /acme \(127.0.0.1:\d+\) cannot be reached: ECONNREFUSED/.test(e.message));
    server = await startGatewayServer({ token: 'x', sandboxes: {} });
  });

  it('a host key the platform names is kept as the blob the verifier pins, only when its blob is a key of the named type', async () => {
    const { generateEd25519 } = await import('../../../src/ssh/keys/keyPair');
    const key = generateEd25519({ comment: 'host' }).parsed;
    const base64 = key.blob.toString('base64');
    server.options = { ...server.options, sandboxes: { pinned: { ...sandbox, host_key: `ssh-ed25519 ${base64} host@sandbox` } as never, lying: { ...sandbox, host_key: `ssh-rsa ${base64}` } as never } };
    assert.strictEqual((await client().sandbox('pinned')).hostKey, base64);
    assert.strictEqual((await client().sandbox('lying')).hostKey, undefined);
  });
});
