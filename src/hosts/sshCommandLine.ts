// An `ssh` command line that reaches the same host as an entry, for "Copy SSH Command": an ssh
// config host is just `ssh <alias>`; a settings host spells out what its fields say.
import { HostEntry } from '../common/hostEntry';

/** POSIX shell quoting: safe words stay bare, everything else goes in single quotes. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./~-]+$/.test(word) && !word.startsWith('~') ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `~/x` stays unquoted at the front so the shell expands it, the rest is quoted. */
function pathWord(p: string): string {
  return p.startsWith('~/') ? `~/${shellQuote(p.slice(2))}` : shellQuote(p);
}

export function sshCommandLine(host: HostEntry): string {
  if (host.source === 'sshConfig') return `ssh ${shellQuote(host.name)}`;
  const args = ['ssh'];
  if (host.port && host.port !== 22) args.push('-p', String(host.port));
  if (host.identityFile) args.push('-i', pathWord(host.identityFile));
  if (host.proxyJump) args.push('-J', shellQuote(host.proxyJump));
  if (host.proxyCommand) args.push('-o', shellQuote(`ProxyCommand=${host.proxyCommand}`));
  if (host.knownHostsFile) args.push('-o', `UserKnownHostsFile=${pathWord(host.knownHostsFile)}`);
  // A user token is never copied: the placeholder says where it goes.
  const user = host.user ? (host.userToken ? `${host.user.split('#')[0]}#<token>` : host.user.replace(/#.*/, '#<token>')) : undefined;
  const target = host.hostname ?? host.name;
  const destination = user ? `${user}@${target}` : target;
  // A destination that looks like an option must not be read as one.
  if (destination.startsWith('-')) args.push('--');
  args.push(shellQuote(destination));
  return args.join(' ');
}
