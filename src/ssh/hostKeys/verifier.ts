// The host key gate of one connection: ssh2 calls `hostVerifier` with the server's raw key
// blob during key exchange, before NEWKEYS and so before any authentication request.
import { Logger } from '../../common/log';
import { StrictHostKeyChecking } from '../config/resolvedHost';
import { SshError } from '../errors';
import { checkHostKey } from './check';
import { HostKeyError, HostKeyRejectReason } from './hostKeyError';
import { fingerprintSha256, keyTypeOfBlob } from './keyBlob';
import { decideHostKey, HostKeyPrompt } from './policy';
import { addKnownHost } from './record';

export interface HostVerifierOptions {
  readonly hostname: string;
  readonly port: number;
  readonly hostKeyAlias?: string;
  readonly strict: StrictHostKeyChecking;
  /** User files, then global files (ResolvedHost's lists). The trust file is always checked too. */
  readonly knownHostsFiles: readonly string[];
  /** Where accepted keys are written. */
  readonly trustFile: string;
  /** Record names hashed (`|1|…`), like HashKnownHosts. Default false. */
  readonly hashKnownHosts?: boolean;
  readonly prompt: HostKeyPrompt;
  readonly log: Logger;
  /**
   * Keys a sandbox platform's API vouches for (base64 blobs and/or `SHA256:` fingerprints).
   * When given, they decide: a match is accepted without asking (unless `@revoked`), anything
   * else is refused like a changed key. Nothing is recorded.
   */
  readonly pinned?: PinnedHostKeys;
}

export interface PinnedHostKeys {
  readonly keys?: readonly string[];
  readonly fingerprints?: readonly string[];
}

function isPinned(pinned: PinnedHostKeys | undefined): pinned is PinnedHostKeys {
  return (pinned?.keys?.length ?? 0) + (pinned?.fingerprints?.length ?? 0) > 0;
}

export interface HostVerifier {
  /** Resolves true to let the handshake go on; never rejects. */
  verify(key: Buffer): Promise<boolean>;
  /** ssh2's `hostVerifier` option (async form: `(key, callback) => void`). */
  readonly hostVerifier: (key: Buffer, callback: (ok: boolean) => void) => void;
  lastRejection(): HostKeyRejectReason | undefined;
  lastError(): HostKeyError | undefined;
  /** The last refusal as the connection core's SshError (`reason: 'host-key'`, `cause`: the HostKeyError). */
  rejection(): SshError | undefined;
}

export function createHostVerifier(opts: HostVerifierOptions): HostVerifier {
  const files = [...new Set([...opts.knownHostsFiles, opts.trustFile])];
  // A re-key presents the key again; one accepted (maybe under `no`, unrecorded) stays accepted.
  const accepted = new Set<string>();
  let lastError: HostKeyError | undefined;

  const refuse = (error: HostKeyError): false => {
    lastError = error;
    opts.log.warn(error.message);
    return false;
  };

  const verify = async (key: Buffer): Promise<boolean> => {
    const id = key.toString('base64');
    if (accepted.has(id)) return true;
    const keyType = keyTypeOfBlob(key) ?? 'unknown';
    const fingerprint = fingerprintSha256(key);
    try {
      const check = await checkHostKey({ hostname: opts.hostname, port: opts.port, hostKeyAlias: opts.hostKeyAlias, key, files, log: opts.log });
      opts.log.debug(`server host key: ${keyType} ${fingerprint}: ${check.status}${'file' in check ? ` (${check.file}:${check.line})` : ''}`);
      if (isPinned(opts.pinned)) {
        const details = { hostname: opts.hostname, port: opts.port, keyType, fingerprint };
        if (check.status === 'revoked') return refuse(new HostKeyError('revoked', { ...details, file: check.file, line: check.line }, `the ${keyType} host key ${fingerprint} of ${opts.hostname} is revoked (${check.file}:${check.line})`));
        const pinnedFingerprints = [...(opts.pinned.fingerprints ?? []), ...(opts.pinned.keys ?? []).map((k) => fingerprintSha256(Buffer.from(k, 'base64')))];
        if (!pinnedFingerprints.includes(fingerprint)) {
          return refuse(new HostKeyError('changed', { ...details, knownFingerprints: pinnedFingerprints }, `the host key of ${opts.hostname}:${opts.port} (${keyType} ${fingerprint}) is not the one its sandbox platform names (${pinnedFingerprints.join(', ')}); refused before logging in`));
        }
        opts.log.info(`server host key ${keyType} ${fingerprint} matches the key the sandbox platform pinned`);
        lastError = undefined;
        accepted.add(id);
        return true;
      }
      const decision = await decideHostKey(check, opts.strict, opts.prompt);
      if (!decision.accept) {
        return refuse(decision.error ?? new HostKeyError(decision.reason ?? 'check-failed', { hostname: opts.hostname, port: opts.port, keyType, fingerprint }, 'host key refused'));
      }
      lastError = undefined;
      accepted.add(id);
      if (decision.record) {
        try {
          await addKnownHost(opts.trustFile, opts, keyType, key, { hashed: opts.hashKnownHosts });
          opts.log.info(`trusted ${keyType} ${fingerprint} for ${check.lookupName}; recorded in ${opts.trustFile}`);
        } catch (err) {
          // The user (or accept-new) already decided; failing to save only means asking again next time.
          opts.log.warn(`trusted ${keyType} ${fingerprint} for ${check.lookupName}, but could not record it in ${opts.trustFile}: ${err instanceof Error ? err.message : String(err)}`);
        }
      } else if (check.status === 'unknown') {
        opts.log.warn(`accepted unknown ${keyType} host key ${fingerprint} for ${check.lookupName} without recording it (StrictHostKeyChecking no)`);
      }
      return true;
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return refuse(new HostKeyError('check-failed', { hostname: opts.hostname, port: opts.port, keyType, fingerprint }, `host key check failed: ${why}`));
    }
  };

  return {
    verify,
    hostVerifier: (key, callback) => {
      void verify(key).then(callback);
    },
    lastRejection: () => lastError?.reason,
    lastError: () => lastError,
    rejection: () => lastError?.toSshError(),
  };
}
