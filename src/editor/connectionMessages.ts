// What the user reads about a connection failure: one place that turns the connection
// core's typed errors (reason, code, target, what was tried) into sentences and fixes.
// Plain TypeScript (no vscode), so the wording is unit-tested in Node.
import * as os from 'os';
import { AuthTried, SshError } from '../ssh/errors';
import { SftpError } from '../ssh/sftp';

/** What the user can do about a failure; each becomes a notification button. */
export type ConnectionFix = 'reconnect' | 'chooseIdentityFile' | 'openHostSettings' | 'enterGatewayToken' | 'showLog';

export const FIX_LABELS: Record<ConnectionFix, string> = {
  reconnect: 'Reconnect',
  chooseIdentityFile: 'Choose Identity File…',
  openHostSettings: 'Open Host Settings',
  enterGatewayToken: 'Enter New Token…',
  showLog: 'Show Log',
};

/** One or two sentences saying what went wrong with `host`'s connection; the host name appears at most once. */
export function describeConnectionError(err: unknown, host: string): string {
  if (SftpError.isConnectionLost(err)) return `The connection to ${host} was lost during the operation.`;
  if (!SshError.is(err)) return sentence(stripHost(err instanceof Error ? err.message : String(err), host));
  const reach = (why: string) => (err.target ? `Could not reach ${err.target}: ${why}.` : `Could not reach ${host}: ${why}.`);
  switch (err.code) {
    case 'refused':
      return reach('connection refused');
    case 'no-such-host':
      return reach('the host name does not resolve');
    case 'unreachable':
      return reach('no route to the host');
    case 'timed-out':
      return err.target ? reach('no answer in time') : `${host} answered but did not finish the login in time.`;
    case 'reset':
      return `The connection to ${host} was reset.`;
    case 'closed':
      return `${host} closed the connection.`;
    case 'keepalive':
      return `The connection to ${host} was lost: the server stopped answering.`;
    case 'held':
      return `${host} is disconnected.`;
    case 'reconnecting': {
      const seconds = Math.max(1, Math.ceil((err.retryInMs ?? 0) / 1000));
      const why = err.cause !== undefined ? describeConnectionError(err.cause, host) : `The connection to ${host} was lost.`;
      return `${why} Reconnecting in ${seconds} s.`;
    }
    case 'gave-up':
      return `Gave up reconnecting to ${host}. ${err.cause !== undefined ? describeConnectionError(err.cause, host) : ''}`.trim();
  }
  switch (err.reason) {
    case 'auth-failed':
      return describeAuthFailure(err, host);
    case 'cancelled':
      return 'Cancelled.';
    default:
      return sentence(stripHost(err.message, host));
  }
}

/** What to do about a failed file operation, to follow the description. */
export function nextStep(err: unknown, host: string): string {
  if (!SshError.is(err)) return `Retry once ${host} is reachable again.`;
  if (err.code === 'held') return `Connect it again (Reconnect, or Connect in the Hosts view) to use its files.`;
  if (err.code === 'gateway-token') return 'Enter a new API token for its gateway, then retry.';
  switch (err.reason) {
    case 'auth-failed':
      return 'Choose an identity file or fix the host settings, then retry.';
    case 'host-key':
      return 'Connect again to review the host key.';
    case 'config':
      return 'Fix the host settings, then retry.';
    default:
      return `Retry once ${host} is reachable again.`;
  }
}

/** The fixes to offer for `err`, most useful first. */
export function fixesFor(err: unknown): ConnectionFix[] {
  if (!SshError.is(err)) return ['showLog'];
  if (err.code === 'held') return ['reconnect'];
  if (err.code === 'gateway-token') return ['enterGatewayToken', 'showLog'];
  switch (err.reason) {
    case 'auth-failed':
      return ['chooseIdentityFile', 'openHostSettings', 'showLog'];
    case 'config':
      return ['openHostSettings', 'showLog'];
    case 'host-key':
    case 'cancelled':
      return ['showLog'];
    default:
      return ['reconnect', 'showLog'];
  }
}

function describeAuthFailure(err: SshError, host: string): string {
  const who = err.user ? `${err.user}@${err.target ?? host}` : (err.target ?? host);
  const tried = err.tried ?? [];
  const list = tried.length ? tried.map(describeTried).join(', ') : 'no method the server offered';
  const noKeys = !tried.some((t) => t.method === 'agent' || t.method === 'key');
  return `The server refused the login as ${who}. Tried: ${list}.${noKeys ? ' No identity file or agent key was available.' : ''}`;
}

function describeTried(t: AuthTried): string {
  switch (t.method) {
    case 'none':
      return 'no credentials (none)';
    case 'agent':
      return `the SSH agent (${t.keys} key${t.keys === 1 ? '' : 's'})`;
    case 'key':
      return `key file ${tildify(t.file)}`;
    case 'password':
      return 'password';
    case 'keyboard-interactive':
      return 'keyboard-interactive';
  }
}

function tildify(file: string): string {
  const home = os.homedir();
  return home && home !== '/' && file.startsWith(home + '/') ? `~${file.slice(home.length)}` : file;
}

/** Messages of the connection core may start with `host: `; the caller already names the host. */
function stripHost(message: string, host: string): string {
  return message.startsWith(`${host}: `) ? message.slice(host.length + 2) : message;
}

function sentence(text: string): string {
  const t = text.trim();
  if (!t) return 'Unknown error.';
  const first = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}
