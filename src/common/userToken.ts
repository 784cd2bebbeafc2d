// Some sandbox gateways take an API key in the SSH user name: `<sandboxId>#<token>`. The
// token is a secret: whatever shows or logs a user name goes through `displayUser`.

const USER_TOKEN_SEPARATOR = '#';

/** `sbx-1#tok` → { user: 'sbx-1', token: 'tok' }; a name without `#` has no token. */
export function splitUserToken(user: string): { user: string; token?: string } {
  const at = user.indexOf(USER_TOKEN_SEPARATOR);
  return at < 0 ? { user } : { user: user.slice(0, at), token: user.slice(at + 1) };
}

export function hasUserToken(user: string | undefined): boolean {
  return user !== undefined && user.includes(USER_TOKEN_SEPARATOR);
}

export function joinUserToken(user: string, token: string): string {
  return `${user}${USER_TOKEN_SEPARATOR}${token}`;
}

/** A user name safe to log or show: everything after the first `#` becomes `…` (`sbx-1#…`). */
export function displayUser(user: string): string {
  const { user: base, token } = splitUserToken(user);
  return token === undefined ? base : `${base}${USER_TOKEN_SEPARATOR}…`;
}

/** `user@host[:port]` for messages, with the user masked. */
export function displayDestination(user: string | undefined, host: string, port?: number): string {
  return `${user ? `${displayUser(user)}@` : ''}${host}${port ? `:${port}` : ''}`;
}
