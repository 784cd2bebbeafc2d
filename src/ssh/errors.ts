// Typed errors of the connection core. Callers branch on `reason`, never on `message`.

export type SshErrorReason =
  /** The connection is gone or could not be made; the operation may succeed later. */
  | 'unavailable'
  /** The operation ran past its time limit; its channel was closed. */
  | 'timeout'
  /** The caller cancelled (AbortSignal) before or during the operation. */
  | 'cancelled'
  /** Every authentication method failed. */
  | 'auth-failed'
  /** The host key was refused (changed, revoked, unknown under `yes`, or rejected by the user). */
  | 'host-key'
  /** The server refused to open a channel (not the MaxSessions case, which is queued). */
  | 'channel-refused'
  /** The host cannot be resolved or its configuration is unusable. */
  | 'config';

export class SshError extends Error {
  constructor(
    message: string,
    readonly reason: SshErrorReason,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SshError';
  }

  static is(err: unknown, reason?: SshErrorReason): err is SshError {
    return err instanceof SshError && (reason === undefined || err.reason === reason);
  }
}

/** ssh2 throws `Error('Not connected')` synchronously and emits errors with a `level`; normalise both once here. */
export function fromSsh2Error(err: unknown, what: string): SshError {
  if (err instanceof SshError) return err;
  const e = err as Partial<Error & { level: string; reason: number; code: string }>;
  const message = e?.message ?? String(err);
  if (e?.level === 'client-authentication') return new SshError(`${what}: authentication failed`, 'auth-failed', { cause: err });
  if (e?.level === 'client-timeout') return new SshError(`${what}: ${message}`, 'timeout', { cause: err });
  if (typeof e?.reason === 'number') return new SshError(`${what}: ${message}`, 'channel-refused', { cause: err });
  return new SshError(`${what}: ${message}`, 'unavailable', { cause: err });
}

export function abortError(what: string): SshError {
  return new SshError(`${what}: cancelled`, 'cancelled');
}
