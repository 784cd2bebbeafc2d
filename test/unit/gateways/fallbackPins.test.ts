// The SSH fallback keeps the platform's host key pins (a reset API connection must not
// downgrade host key checking to a first-use prompt).
import * as assert from 'assert';
import { fallbackEndpoint, rememberedPins, rememberPins, PinState } from '../../../src/gateways/fallbackPins';
import { resolveSandbox } from '../../../src/hosts/resolveSandbox';
import { resolveHost } from '../../../src/ssh/config/resolveHost';
import { memFs } from '../ssh/config/memfs';

/** globalState's contract (get/update of JSON values), in memory. */
function memento(initial: Record<string, unknown> = {}): PinState & { data: Record<string, unknown> } {
  const data: Record<string, unknown> = JSON.parse(JSON.stringify(initial));
  return {
    data,
    get: <T>(key: string, def: T) => (Object.hasOwn(data, key) ? (JSON.parse(JSON.stringify(data[key])) as T) : def),
    update: async (key: string, value: unknown) => void (data[key] = JSON.parse(JSON.stringify(value))),
  };
}

describe('gateway SSH fallback and host key pins', () => {
  const FP = `SHA256:${'A'.repeat(43)}`;
  const base = { hostname: 'ssh.acme.example', port: 22, user: 'rs-1', connectTimeoutSeconds: 120, connectionAttempts: 3 };
  const resolveAlias = (alias: string, preset: { user?: string; port?: number }) =>
    resolveHost(alias, { homeDir: '/home/a', localUser: 'a', localHostname: 'l', uid: 1000, env: { HOME: '/home/a' }, configFiles: ['/cfg'], fs: memFs({ '/cfg': 'Host *\n  StrictHostKeyChecking ask\n' }), ...preset });

  it('the fallback requires the keys the platform pinned last for that sandbox', async () => {
    const state = memento();
    await rememberPins(state, 'rs-1.acme', { keys: ['AAAAC3Nz'], fingerprints: [FP] });
    await rememberPins(state, 'rs-1.acme', undefined); // an answer without a pin keeps the last one
    const endpoint = fallbackEndpoint(state, 'rs-1.acme', base);
    assert.deepStrictEqual(endpoint.pinnedHostKeys, { keys: ['AAAAC3Nz'], fingerprints: [FP] });
    const r = resolveSandbox('rs-1.acme', endpoint, resolveAlias);
    assert.deepStrictEqual(r.pinnedHostKeys, { keys: ['AAAAC3Nz'], fingerprints: [FP] });
    assert.strictEqual(rememberedPins(state, 'other.acme'), undefined, 'pins are per sandbox');
  });

  it('without remembered pins the fallback requires a known_hosts entry (StrictHostKeyChecking yes, no first-use prompt)', () => {
    const endpoint = fallbackEndpoint(memento(), 'rs-1.acme', base);
    assert.strictEqual(endpoint.pinnedHostKeys, undefined);
    assert.strictEqual(resolveSandbox('rs-1.acme', endpoint, resolveAlias).strictHostKeyChecking, 'yes');
    assert.strictEqual(resolveSandbox('rs-1.acme', { ...base }, resolveAlias).strictHostKeyChecking, 'ask', 'an API answer keeps the config value');
  });

  it('garbage in globalState is no pin (and keeps requiring a known host)', () => {
    const state = memento({ 'sandboxExplorer.gatewayHostKeys': { 'rs-1.acme': { keys: ['not base64!'], fingerprints: ['md5:xx'] } } });
    assert.strictEqual(rememberedPins(state, 'rs-1.acme'), undefined);
    assert.strictEqual(fallbackEndpoint(state, 'rs-1.acme', base).requireKnownHost, true);
  });
});
