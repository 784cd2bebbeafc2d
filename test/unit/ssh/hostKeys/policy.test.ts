import * as assert from 'assert';
import { StrictHostKeyChecking } from '../../../../src/ssh/config/resolvedHost';
import { checkHostKey, HostKeyCheckResult } from '../../../../src/ssh/hostKeys/check';
import { HostKeyError } from '../../../../src/ssh/hostKeys/hostKeyError';
import { ChangedHostKeyInfo, decideHostKey, HostKeyPrompt, NewHostKeyInfo, RevokedHostKeyInfo } from '../../../../src/ssh/hostKeys/policy';
import { SshError } from '../../../../src/ssh/errors';
import { keygen, knownHostsFile, tempDir, TestKey } from './keys';

const MODES: StrictHostKeyChecking[] = ['yes', 'no', 'accept-new', 'ask'];

/** A prompt that records every call and answers the new-host modal with `answer`. */
function recordingPrompt(answer: boolean | Error = true) {
  const calls = { confirm: [] as NewHostKeyInfo[], changed: [] as ChangedHostKeyInfo[], revoked: [] as RevokedHostKeyInfo[] };
  const prompt: HostKeyPrompt = {
    confirmNewHost: async (info) => {
      calls.confirm.push(info);
      if (answer instanceof Error) throw answer;
      return answer;
    },
    changedHostKey: (info) => void calls.changed.push(info),
    revokedHostKey: (info) => void calls.revoked.push(info),
  };
  return { prompt, calls };
}

describe('host keys: StrictHostKeyChecking policy', () => {
  const tmp = tempDir();
  let key: TestKey;
  let old: TestKey;
  let unknown: HostKeyCheckResult;
  let changed: HostKeyCheckResult;
  let revoked: HostKeyCheckResult;
  let match: HostKeyCheckResult;
  let caOnly: HostKeyCheckResult;
  before(async () => {
    key = keygen(tmp.dir, 'ed25519', 'new');
    old = keygen(tmp.dir, 'ecdsa256', 'old');
    const run = (lines: string[]) => checkHostKey({ hostname: 'box', port: 2222, key: key.blob, files: [knownHostsFile(tmp.dir, lines)] });
    unknown = await run([]);
    changed = await run([`[box]:2222 ${old.type} ${old.base64}`]);
    revoked = await run([`[box]:2222 ${key.type} ${key.base64}`, `@revoked * ${key.type} ${key.base64}`]);
    match = await run([`[box]:2222 ${key.type} ${key.base64}`]);
    caOnly = await run([`@cert-authority * ${old.type} ${old.base64}`]);
  });
  after(() => tmp.cleanup());

  it('accepts a matching key under every mode without asking or recording', async () => {
    for (const mode of MODES) {
      const { prompt, calls } = recordingPrompt(false);
      const d = await decideHostKey(match, mode, prompt);
      assert.deepStrictEqual([d.accept, d.record ?? false], [true, false], mode);
      assert.strictEqual(calls.confirm.length, 0);
    }
  });

  describe('unknown key', () => {
    it('yes: refused without asking', async () => {
      const { prompt, calls } = recordingPrompt(true);
      const d = await decideHostKey(unknown, 'yes', prompt);
      assert.deepStrictEqual([d.accept, d.reason, calls.confirm.length], [false, 'unknown-refused', 0]);
      assert.ok(HostKeyError.is(d.error, 'unknown-refused'));
      assert.match(d.error!.message, /StrictHostKeyChecking is yes/);
      assert.ok(d.error!.message.includes(key.fingerprint));
    });

    it('accept-new: accepted and recorded without asking', async () => {
      const { prompt, calls } = recordingPrompt(false);
      const d = await decideHostKey(unknown, 'accept-new', prompt);
      assert.deepStrictEqual([d.accept, d.record, calls.confirm.length], [true, true, 0]);
    });

    it('no: accepted without recording or asking', async () => {
      const { prompt, calls } = recordingPrompt(false);
      const d = await decideHostKey(unknown, 'no', prompt);
      assert.deepStrictEqual([d.accept, d.record, calls.confirm.length], [true, false, 0]);
    });

    it('ask: shows host, port, type and SHA256 fingerprint; records on accept', async () => {
      const { prompt, calls } = recordingPrompt(true);
      const d = await decideHostKey(unknown, 'ask', prompt);
      assert.deepStrictEqual([d.accept, d.record], [true, true]);
      assert.deepStrictEqual(calls.confirm, [{ host: 'box', port: 2222, hostKeyAlias: undefined, keyType: 'ssh-ed25519', fingerprint: key.fingerprint, certAuthorityOnly: false }]);
    });

    it('ask: refused when the user declines, and when the prompt fails', async () => {
      const declined = await decideHostKey(unknown, 'ask', recordingPrompt(false).prompt);
      assert.deepStrictEqual([declined.accept, declined.reason], [false, 'rejected-by-user']);
      const failed = await decideHostKey(unknown, 'ask', recordingPrompt(new Error('no window')).prompt);
      assert.deepStrictEqual([failed.accept, failed.reason], [false, 'check-failed']);
    });

    it('tells the UI when only a @cert-authority line names the host', async () => {
      const { prompt, calls } = recordingPrompt(false);
      const d = await decideHostKey(caOnly, 'ask', prompt);
      assert.strictEqual(calls.confirm[0].certAuthorityOnly, true);
      assert.match(d.error!.message, /cert-authority.*not supported/);
      const strict = await decideHostKey(caOnly, 'yes', prompt);
      assert.strictEqual(strict.error!.details.certAuthorityOnly, true);
    });
  });

  it('a CHANGED key is refused under every mode, reporting old and new fingerprints', async () => {
    for (const mode of MODES) {
      const { prompt, calls } = recordingPrompt(true);
      const d = await decideHostKey(changed, mode, prompt);
      assert.deepStrictEqual([d.accept, d.record ?? false, d.reason], [false, false, 'changed'], mode);
      assert.strictEqual(calls.confirm.length, 0, `${mode}: must not offer to accept a changed key`);
      assert.strictEqual(calls.changed.length, 1);
      const info = calls.changed[0];
      assert.strictEqual(info.fingerprint, key.fingerprint);
      assert.deepStrictEqual(info.knownFingerprints, [old.fingerprint]);
      assert.deepStrictEqual([info.host, info.port, info.keyType, info.line], ['box', 2222, 'ssh-ed25519', 1]);
      const err = d.error!;
      assert.ok(HostKeyError.is(err, 'changed'));
      assert.deepStrictEqual(err.details.knownFingerprints, [old.fingerprint]);
      assert.ok(err.message.includes(key.fingerprint) && err.message.includes(old.fingerprint), err.message);
    }
  });

  it('a REVOKED key is refused under every mode', async () => {
    for (const mode of MODES) {
      const { prompt, calls } = recordingPrompt(true);
      const d = await decideHostKey(revoked, mode, prompt);
      assert.deepStrictEqual([d.accept, d.reason, calls.confirm.length, calls.revoked.length], [false, 'revoked', 0, 1], mode);
    }
  });

  it('a throwing changedHostKey callback does not change the refusal', async () => {
    const prompt: HostKeyPrompt = { confirmNewHost: async () => true, changedHostKey: () => { throw new Error('ui gone'); } };
    const d = await decideHostKey(changed, 'no', prompt);
    assert.deepStrictEqual([d.accept, d.reason], [false, 'changed']);
  });

  it('HostKeyError: typed reason, found through an SshError cause', () => {
    const err = new HostKeyError('revoked', { hostname: 'h', port: 22, keyType: 'ssh-ed25519', fingerprint: 'SHA256:x' }, 'm');
    const wrapped = err.toSshError('box');
    assert.ok(SshError.is(wrapped, 'host-key'));
    assert.ok(!HostKeyError.is(wrapped));
    assert.strictEqual(HostKeyError.find(wrapped), err);
    assert.ok(HostKeyError.is(err, 'revoked') && !HostKeyError.is(err, 'changed'));
    assert.ok(!HostKeyError.is(new Error('changed')));
    assert.strictEqual(HostKeyError.find(new Error('x')), undefined);
  });
});
