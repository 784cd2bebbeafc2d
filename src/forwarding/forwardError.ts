// Why a forward could not start, as a reason the editor words and maybe acts on (offer the
// next free port). Branch on `reason`, never on the message.

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
