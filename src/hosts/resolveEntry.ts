// A host from settings is resolved through ssh config first (so `Host *` defaults and
// the user's identity files apply), then its own fields override, as `ssh -o` would.
import * as os from 'os';
import * as path from 'path';
import { hasUserToken } from '../common/userToken';
import { ResolvedHost } from '../ssh/config/resolvedHost';
import { HostEntry } from './hostEntry';

export type AliasResolver = (alias: string) => ResolvedHost;

function expandHome(file: string): string {
  return file === '~' || file.startsWith('~/') ? path.join(os.homedir(), file.slice(1)) : file;
}

export function resolveEntry(entry: HostEntry, resolveAlias: AliasResolver): ResolvedHost {
  if (entry.source === 'sshConfig') return resolveAlias(entry.name);
  const base = resolveAlias(entry.hostname ?? entry.name);
  // ProxyJump and ProxyCommand exclude each other; the one the entry sets wins.
  const proxyJump = entry.proxyJump ? entry.proxyJump.split(',').map((s) => s.trim()).filter(Boolean) : entry.proxyCommand ? [] : base.proxyJump;
  const proxyCommand = entry.proxyCommand ?? (entry.proxyJump ? undefined : base.proxyCommand);
  return {
    ...base,
    alias: entry.name,
    port: entry.port ?? base.port,
    user: entry.user ?? base.user,
    // A user that already carries `#token` is taken as it is (HostRegistry warns about it).
    userToken: entry.userToken && !hasUserToken(entry.user ?? base.user) ? true : undefined,
    identityFiles: entry.identityFile ? [expandHome(entry.identityFile)] : base.identityFiles,
    identityFilesAreDefaults: entry.identityFile ? false : base.identityFilesAreDefaults,
    proxyJump: proxyJump.filter((hop) => hop.toLowerCase() !== 'none'),
    proxyCommand: proxyCommand?.toLowerCase() === 'none' ? undefined : proxyCommand,
    userKnownHostsFiles: entry.knownHostsFile ? [expandHome(entry.knownHostsFile), ...base.userKnownHostsFiles] : base.userKnownHostsFiles,
  };
}
