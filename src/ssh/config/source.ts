// The ssh config as the hosts registry uses it: plain file lists in, aliases and resolved hosts out.
import * as path from 'path';
import { HostDeclaration, listHostAliases, listHostDeclarations } from './aliases';
import { ConfigFileSpec, SYSTEM_CONFIG_DIR, localIdentity } from './defaults';
import { resolveHost } from './resolveHost';
import { ResolvedHost } from './resolvedHost';
import { JumpHop } from './userHostPort';

/**
 * Marks which of `files` is the system config (relative Includes under /etc/ssh, no `~`) and
 * which is the user's ~/.ssh/config (refused if others can write it, as ssh does); any other
 * file is read like `ssh -F` reads one.
 */
export function configFileSpecs(files: readonly string[], homeDir = localIdentity({}).homeDir): ConfigFileSpec[] {
  const system = path.posix.join(SYSTEM_CONFIG_DIR, 'ssh_config');
  const user = path.join(homeDir, '.ssh', 'config');
  return files.map((file) => (file === system ? { path: file, system: true } : { path: file, checkPerm: file === user }));
}

/** What src/hosts needs from ssh config files. Match exec is never run from here. */
export const sshConfigSource = {
  aliases(files: string[]): string[] {
    return listHostAliases(configFileSpecs(files));
  },
  /** Where `name` is declared (for Edit SSH Config), if it is. */
  declaration(name: string, files: string[]): HostDeclaration | undefined {
    return listHostDeclarations(configFileSpecs(files)).find((d) => d.name === name);
  },
  /** `preset` is what `ssh -l user -p port` fixes before the config is read. */
  resolve(alias: string, files: string[], preset: Omit<JumpHop, 'host'> = {}): ResolvedHost {
    return resolveHost(alias, { configFiles: configFileSpecs(files), user: preset.user, port: preset.port });
  },
};
