// Why a forward could not start, as a reason the editor words and maybe acts on (offer the
// next free port). Branch on `reason`, never on the message.
import { ChannelOpenError } from './connectionPort';

export type ForwardErrorReason =
  /** The local port is taken; `suggestedPort` is the next free one (if any was found). */
  | 'port-in-use'
  /** The local port is below 1024 and we may not bind it; `suggestedPort` as above. */
  | 'port-privileged'
  /** A bind address other than loopback was asked without the setting that allows it. */
  | 'bind-not-allowed'
  /** The local address cannot be bound for another reason (not on this machine, …). */
  | 'bind-failed'
  /** The server refused to forward (AllowTcpForwarding, -R unsupported, port taken there). */
  | 'refused-by-server'
  /** No connection to the host right now. */
  | 'unavailable';

export class ForwardError extends Error {
  constructor(
    message: string,
    readonly reason: ForwardErrorReason,
    readonly details: { readonly suggestedPort?: number; readonly cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ForwardError';
  }

  get suggestedPort(): number | undefined {
    return this.details.suggestedPort;
  }

  static is(err: unknown, reason?: ForwardErrorReason): err is ForwardError {
    return err instanceof ForwardError && (reason === undefined || err.reason === reason);
  }
}

/** A log line's worth about one connection that could not be forwarded. */
export function describeConnectionFailure(err: unknown, target: string): string {
  if (err instanceof ChannelOpenError) {
    switch (err.failure) {
      case 'prohibited':
        return `the server does not allow forwarding to ${target} (sshd_config AllowTcpForwarding is "no" or "remote", or PermitOpen excludes it)`;
      case 'connect-failed':
        return `the server could not connect to ${target}: ${err.message.replace(/^.*Channel open failure:\s*/i, '')}`;
      case 'unavailable':
        return `not connected: ${err.message}`;
    }
  }
  return err instanceof Error ? err.message : String(err);
}
