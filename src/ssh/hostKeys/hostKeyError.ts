// Why a host key was refused, as data: callers branch on `reason`, never on `message`.
import { SshError } from '../errors';

export type HostKeyRejectReason =
  /** Another key is recorded for this host: possibly a man-in-the-middle. Refused under every setting. */
  | 'changed'
  /** The key is listed under `@revoked`. */
  | 'revoked'
  /** No key is known and StrictHostKeyChecking is `yes`. */
  | 'unknown-refused'
  /** The user declined the new key (or the prompt was dismissed). */
  | 'rejected-by-user'
  /** The check itself failed (e.g. the prompt threw); refused because nothing was verified. */
  | 'check-failed';

export interface HostKeyErrorDetails {
  readonly hostname: string;
  readonly port: number;
  readonly keyType: string;
  readonly fingerprint: string;
  /** For `changed`: fingerprints of the keys recorded for the host. */
  readonly knownFingerprints?: readonly string[];
  /** For `changed` (first offending line) and `revoked`. */
  readonly file?: string;
  readonly line?: number;
  /** A `@cert-authority` line names the host, but ssh2 cannot check host certificates. */
  readonly certAuthorityOnly?: boolean;
}

export class HostKeyError extends Error {
  private readonly isHostKeyError = true;

  constructor(
    readonly reason: HostKeyRejectReason,
    readonly details: HostKeyErrorDetails,
    message: string,
  ) {
    super(message);
    this.name = 'HostKeyError';
  }

  /** True for a HostKeyError (optionally with this reason); see find() for one wrapped as a `cause`. */
  static is(err: unknown, reason?: HostKeyRejectReason): err is HostKeyError {
    // The brand also recognises an instance from a second copy of this module (tests, bundles).
    const branded = err instanceof HostKeyError || (typeof err === 'object' && err !== null && (err as HostKeyError).isHostKeyError === true);
    return branded && (reason === undefined || (err as HostKeyError).reason === reason);
  }

  /** The HostKeyError in `err` or its `cause` chain, if any. */
  static find(err: unknown): HostKeyError | undefined {
    for (let e = err, depth = 0; e !== undefined && e !== null && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
      if (HostKeyError.is(e)) return e;
    }
    return undefined;
  }

  /** The connection core's error for this refusal (`reason: 'host-key'`), with this as its cause. */
  toSshError(label?: string): SshError {
    return new SshError(label ? `${label}: ${this.message}` : this.message, 'host-key', { cause: this });
  }
}
