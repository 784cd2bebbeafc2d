// A host from settings is resolved through ssh config first (so `Host *` defaults and
// the user's identity files apply), then its own fields override, as `ssh -o` would. Its
// user and port are fixed before the config is read, as `ssh -l user -p port host` does, so a
// `Match user` block sees the user the entry names.
import { hasUserToken } from '../common/userToken';
import { expandLocalTilde } from '../ssh/config/localTilde';
import { parseJump } from '../ssh/config/jump';
import { ResolvedHost } from '../ssh/config/resolvedHost';
import { JumpHop } from '../ssh/config/userHostPort';
import { SshError } from '../ssh/errors';
import { HostEntry } from '../common/hostEntry';

/** Resolves an alias through ssh config; `preset` is what `ssh -l user -p port` fixes first. */
export type AliasResolver = (alias: string, preset: Omit<JumpHop, 'host'>) => ResolvedHost;

/** `preset` comes from a ProxyJump hop naming this entry (`user@entry:port`); it wins over the entry's own fields. */
export function resolveEntry(entry: HostEntry, resolveAlias: AliasResolver, preset: Omit<JumpHop, 'host'> = {}): ResolvedHost {
  const user = preset.user ?? entry.user;
  const port = preset.port ?? entry.port;
  if (entry.source === 'sshConfig') return resolveAlias(entry.name, { user: preset.user, port: preset.port });
  const base = resolveAlias(entry.hostname ?? entry.name, { user, port });
  // ProxyJump and ProxyCommand exclude each other; the one the entry sets wins.
  const proxyJump = entry.proxyJump !== undefined ? entryJump(entry) : entry.proxyCommand ? [] : base.proxyJump;
  const proxyCommand = entry.proxyCommand ?? (entry.proxyJump ? undefined : base.proxyCommand);
  return {
    ...base,
    alias: entry.name,
    port: port ?? base.port,
    user: user ?? base.user,
    // A user that already carries `#token` is taken as it is (HostRegistry warns about it).
    userToken: entry.userToken && !hasUserToken(user ?? base.user) ? true : undefined,
    identityFiles: entry.identityFile ? [expandLocalTilde(entry.identityFile)] : base.identityFiles,
    identityFilesAreDefaults: entry.identityFile ? false : base.identityFilesAreDefaults,
    proxyJump,
    proxyCommand: proxyCommand?.toLowerCase() === 'none' ? undefined : proxyCommand,
    userKnownHostsFiles: entry.knownHostsFile ? [expandLocalTilde(entry.knownHostsFile), ...base.userKnownHostsFiles] : base.userKnownHostsFiles,
  };
}

/** The entry's proxyJump, read as ssh reads `-J` (`none` means no jump host). */
function entryJump(entry: HostEntry): JumpHop[] {
  const jump = parseJump(entry.proxyJump ?? '');
  if (!jump) throw new SshError(`${entry.name}: proxyJump "${entry.proxyJump}" is not a list of [user@]host[:port]`, 'config');
  return jump.none ? [] : jump.hops;
}
