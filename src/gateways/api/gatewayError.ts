// Why a gateway call failed, in words the Hosts view can show. Never carries the token.
export type GatewayErrorKind =
  /** 401/403: the token is wrong or expired; ask for a new one, do not retry. */
  | 'token-rejected'
  /** 404 on a sandbox or key. */
  | 'not-found'
  /** No answer within the deadline. */
  | 'timeout'
  /** Connection refused, DNS, TLS. */
  | 'unreachable'
  /** An answer we cannot use: not JSON, wrong shape, too large, a redirect, another status. */
  | 'bad-response'
  | 'cancelled';

export class GatewayError extends Error {
  constructor(
    message: string,
    readonly kind: GatewayErrorKind,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'GatewayError';
  }

  static is(err: unknown, kind?: GatewayErrorKind): err is GatewayError {
    return err instanceof GatewayError && (kind === undefined || err.kind === kind);
  }
}
