// StrictHostKeyChecking applied to a check result. Deliberately stricter than OpenSSH:
// a changed or revoked key is refused under every setting, including `no` (ssh would
// connect with forwarding and password auth disabled; we never connect).
import { StrictHostKeyChecking } from '../config/resolvedHost';
import { HostKeyCheckResult } from './check';
import { HostKeyError, HostKeyRejectReason } from './hostKeyError';
import { keyTypeLabel } from './keyBlob';

export interface HostKeyInfo {
  /** The host name connected to (HostName), and its port. */
  readonly host: string;
  readonly port: number;
  readonly hostKeyAlias?: string;
  readonly keyType: string;
  /** `SHA256:…`, as `ssh-keygen -lf` prints it. */
  readonly fingerprint: string;
}

export interface NewHostKeyInfo extends HostKeyInfo {
  /** A `@cert-authority` line names this host, but host certificates cannot be checked: say so. */
  readonly certAuthorityOnly: boolean;
}

export interface ChangedHostKeyInfo extends HostKeyInfo {
  readonly knownFingerprints: readonly string[];
  /** The first line holding a different key for the host. */
  readonly file: string;
  readonly line: number;
}

export interface RevokedHostKeyInfo extends HostKeyInfo {
  readonly file: string;
  readonly line: number;
}

/** The UI side: a modal for new keys, warnings for changed and revoked ones. */
export interface HostKeyPrompt {
  /** Resolve true to trust the key (it is then recorded); false or a dismissed prompt refuses. */
  confirmNewHost(info: NewHostKeyInfo): Promise<boolean>;
  /** Show the old and new fingerprints; the connection is refused whatever happens here. */
  changedHostKey(info: ChangedHostKeyInfo): void;
  revokedHostKey?(info: RevokedHostKeyInfo): void;
}

export interface HostKeyDecision {
  readonly accept: boolean;
  /** Append the key to the trust file (accept-new, or ask and the user agreed). */
  readonly record?: boolean;
  readonly reason?: HostKeyRejectReason;
  /** Set whenever accept is false. */
  readonly error?: HostKeyError;
}

export async function decideHostKey(check: HostKeyCheckResult, strict: StrictHostKeyChecking, prompt: HostKeyPrompt): Promise<HostKeyDecision> {
  const info: HostKeyInfo = {
    host: check.hostname,
    port: check.port,
    hostKeyAlias: check.hostKeyAlias,
    keyType: check.keyType,
    fingerprint: check.fingerprint,
  };
  const base = { hostname: check.hostname, port: check.port, keyType: check.keyType, fingerprint: check.fingerprint };
  const who = describeHost(check);
  const type = keyTypeLabel(check.keyType);
  switch (check.status) {
    case 'match':
      return { accept: true };
    case 'revoked': {
      notify(() => prompt.revokedHostKey?.({ ...info, file: check.file, line: check.line }));
      const message = `The ${type} host key of ${who} (${check.fingerprint}) is marked @revoked in ${check.file}:${check.line}; the connection was refused.`;
      return refuse(new HostKeyError('revoked', { ...base, file: check.file, line: check.line }, message));
    }
    case 'changed': {
      notify(() => prompt.changedHostKey({ ...info, knownFingerprints: check.knownFingerprints, file: check.file, line: check.line }));
      const message =
        `The host key of ${who} has changed: it now presents ${type} ${check.fingerprint}, ` +
        `but ${check.file}:${check.line} records ${check.knownFingerprints.join(', ')}. ` +
        'Someone could be intercepting the connection, so it was refused. If the host was reinstalled, remove the old key from that file.';
      return refuse(
        new HostKeyError('changed', { ...base, knownFingerprints: check.knownFingerprints, file: check.file, line: check.line }, message),
      );
    }
    case 'unknown': {
      const certAuthorityOnly = check.certAuthorityOnly === true;
      const caNote = certAuthorityOnly ? ' A @cert-authority line names this host, but host certificates are not supported, so it could not vouch for the key.' : '';
      const details = { ...base, certAuthorityOnly };
      switch (strict) {
        case 'yes':
          return refuse(
            new HostKeyError('unknown-refused', details, `No ${type} host key is known for ${who} (${check.fingerprint}) and StrictHostKeyChecking is yes.${caNote}`),
          );
        case 'accept-new':
          return { accept: true, record: true };
        case 'no':
          return { accept: true, record: false };
        default: {
          let accepted: boolean;
          try {
            accepted = (await prompt.confirmNewHost({ ...info, certAuthorityOnly })) === true;
          } catch (err) {
            const why = err instanceof Error ? err.message : String(err);
            return refuse(new HostKeyError('check-failed', details, `Could not ask whether to trust the host key of ${who}: ${why}`));
          }
          if (accepted) return { accept: true, record: true };
          return refuse(new HostKeyError('rejected-by-user', details, `The ${type} host key of ${who} (${check.fingerprint}) was not trusted.${caNote}`));
        }
      }
    }
  }
}

function refuse(error: HostKeyError): HostKeyDecision {
  return { accept: false, reason: error.reason, error };
}

/** A UI callback must not turn a refusal into something else. */
function notify(fn: () => void): void {
  try {
    fn();
  } catch {
    /* the refusal stands; the error carries the same facts */
  }
}

function describeHost(check: HostKeyCheckResult): string {
  const host = check.port === 22 ? check.hostname : `${check.hostname}:${check.port}`;
  return check.hostKeyAlias ? `${host} (HostKeyAlias ${check.hostKeyAlias})` : host;
}
