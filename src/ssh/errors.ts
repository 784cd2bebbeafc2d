// Typed errors of the connection core. Callers branch on `reason` (and `code` for the
// finer cause), never on `message`. Messages are for the log; the editor words what it
// shows from `reason`, `code` and the fields below (src/editor/connectionMessages.ts).
import { DeadlineErrors } from '../common/time';

export type SshErrorReason =
  /** The connection is gone or could not be made; the operation may succeed later. */
  | 'unavailable'
  /** A deadline passed (TCP connect, login, channel open, command, request): every deadline, one reason. */
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

/** Why a connection could not be made or was lost, finer than `reason`. */
export type SshErrorCode =
  /** Nothing listens on the port (ECONNREFUSED). */
  | 'refused'
  /** No answer in time (reason `timeout`): TCP connect (with `target`), handshake and login, a hop. */
  | 'timed-out'
  /** The host name does not resolve (ENOTFOUND, EAI_AGAIN). */
  | 'no-such-host'
  /** No route to the host or its network (EHOSTUNREACH, ENETUNREACH). */
  | 'unreachable'
  /** The peer reset the connection (ECONNRESET, EPIPE). */
  | 'reset'
  /** The server closed the connection (during the handshake, or later without saying why). */
  | 'closed'
  /** Keepalives went unanswered: the link was declared dead. */
  | 'keepalive'
  /** The user disconnected the host; it stays down until they connect again. */
  | 'held'
  /** The link dropped and a reconnect is scheduled (see `retryInMs`); `cause` says why it dropped. */
  | 'reconnecting'
  /** Every reconnect attempt failed; `cause` is the last failure. */
  | 'gave-up'
  /** A sandbox gateway's API rejected its token (HTTP 401/403): a new token is needed, not a retry. */
  | 'gateway-token';

/** One authentication method tried: the agent with how many keys, or one key file. */
export type AuthTried =
  | { readonly method: 'none' | 'password' | 'keyboard-interactive' }
  | { readonly method: 'agent'; readonly keys: number }
  | { readonly method: 'key'; readonly file: string };

export interface SshErrorDetails {
  readonly cause?: unknown;
  readonly code?: SshErrorCode;
  /** `host:port` the failure is about. */
  readonly target?: string;
  /** The login name, for authentication failures. */
  readonly user?: string;
  /** Authentication methods tried, in order. */
  readonly tried?: readonly AuthTried[];
  /** For `reconnecting`: when the next attempt starts. */
  readonly retryInMs?: number;
}

export class SshError extends Error {
  readonly code: SshErrorCode | undefined;
  readonly target: string | undefined;
  readonly user: string | undefined;
  readonly tried: readonly AuthTried[] | undefined;
  readonly retryInMs: number | undefined;

  constructor(
    message: string,
    readonly reason: SshErrorReason,
    details: SshErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'SshError';
    this.code = details.code;
    this.target = details.target;
    this.user = details.user;
    this.tried = details.tried;
    this.retryInMs = details.retryInMs;
  }

  static is(err: unknown, reason?: SshErrorReason): err is SshError {
    return err instanceof SshError && (reason === undefined || err.reason === reason);
  }
}

const ERRNO: Record<string, { code: SshErrorCode; text: string }> = {
  ECONNREFUSED: { code: 'refused', text: 'connection refused' },
  ETIMEDOUT: { code: 'timed-out', text: 'no answer' },
  ENOTFOUND: { code: 'no-such-host', text: 'the name does not resolve' },
  EAI_AGAIN: { code: 'no-such-host', text: 'the name does not resolve (DNS not answering)' },
  EHOSTUNREACH: { code: 'unreachable', text: 'no route to the host' },
  ENETUNREACH: { code: 'unreachable', text: 'no route to the network' },
  ECONNRESET: { code: 'reset', text: 'connection reset' },
  EPIPE: { code: 'reset', text: 'connection reset' },
};

/** A socket error's errno (`ECONNREFUSED`, …) as a code and a few words; undefined for others. */
export function fromErrno(errno: string | undefined): { code: SshErrorCode; text: string } | undefined {
  return errno ? ERRNO[errno] : undefined;
}

/** ssh2 throws `Error('Not connected')` synchronously and emits errors with a `level`; normalise both once here. */
export function fromSsh2Error(err: unknown, what: string): SshError {
  if (err instanceof SshError) return err;
  const e = err as Partial<Error & { level: string; reason: number; code: string }>;
  const message = e?.message ?? String(err);
  if (e?.level === 'client-authentication') return new SshError(`${what}: authentication failed`, 'auth-failed', { cause: err });
  if (e?.level === 'client-timeout') return new SshError(`${what}: ${message}`, 'timeout', { cause: err });
  if (typeof e?.reason === 'number') return new SshError(`${what}: ${message}`, 'channel-refused', { cause: err });
  const errno = fromErrno(typeof e?.code === 'string' ? e.code : undefined);
  if (errno) return new SshError(`${what}: ${errno.text} (${e.code})`, 'unavailable', { cause: err, code: errno.code });
  return new SshError(`${what}: ${message}`, 'unavailable', { cause: err });
}

export function abortError(what: string): SshError {
  return new SshError(`${what}: cancelled`, 'cancelled');
}

/** A deadline passed: always reason `timeout`, code `timed-out`. */
export function timeoutError(message: string, details: Omit<SshErrorDetails, 'code'> = {}): SshError {
  return new SshError(message, 'timeout', { ...details, code: 'timed-out' });
}

/** The connection core's words for common/time's deadlines and cancellations: converted here, once. */
export function sshDeadline(details: Omit<SshErrorDetails, 'code'> = {}): Required<DeadlineErrors> {
  return {
    timeout: (what, ms) => timeoutError(`${what}: no answer within ${ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`}`, details),
    cancelled: (what) => abortError(what),
  };
}
