// What OpenSSH 9.2 uses when the config says nothing (readconf.c fill_default_options,
// pathnames.h), and which files it reads by default.
import * as os from 'os';
import * as path from 'path';
import { LocalIdentity } from './tokens';

export const DEFAULT_PORT = 22;
export const DEFAULT_SERVER_ALIVE_COUNT_MAX = 3;
export const DEFAULT_CONNECTION_ATTEMPTS = 1;
export const DEFAULT_STRICT_HOST_KEY_CHECKING = 'ask';

/** In the order `ssh -G` lists them (and ssh tries them). */
export const DEFAULT_IDENTITY_FILES = [
  '~/.ssh/id_rsa',
  '~/.ssh/id_ecdsa',
  '~/.ssh/id_ecdsa_sk',
  '~/.ssh/id_ed25519',
  '~/.ssh/id_ed25519_sk',
  '~/.ssh/id_xmss',
  '~/.ssh/id_dsa',
];

export const DEFAULT_USER_KNOWN_HOSTS_FILES = ['~/.ssh/known_hosts', '~/.ssh/known_hosts2'];
export const DEFAULT_GLOBAL_KNOWN_HOSTS_FILES = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];

/** Directory of the system config; relative Includes there are resolved against it. */
export const SYSTEM_CONFIG_DIR = '/etc/ssh';

/** A config file to read; a plain string is a user config file. */
export type ConfigFileSpec =
  | string
  | {
      readonly path: string;
      /** The system-wide file: relative Includes resolve under the system directory and `~` is refused. */
      readonly system?: boolean;
      /** Refuse the file if another user owns it or it is group/world-writable (ssh does for ~/.ssh/config and includes). */
      readonly checkPerm?: boolean;
    };

/**
 * The files ssh reads without `-F`: ~/.ssh/config, then /etc/ssh/ssh_config. An extra file
 * (the `sandboxExplorer.sshConfigFile` setting) is read right after the user's own, so its
 * values lose to ~/.ssh/config but win over the system defaults.
 */
export function defaultConfigFiles(homeDir: string, extraFile?: string): ConfigFileSpec[] {
  const files: ConfigFileSpec[] = [{ path: path.join(homeDir, '.ssh', 'config'), checkPerm: true }];
  if (extraFile) files.push({ path: extraFile, checkPerm: true });
  files.push({ path: path.posix.join(SYSTEM_CONFIG_DIR, 'ssh_config'), system: true });
  return files;
}

/** Who and where we are, as ssh sees it: the password database's home (not $HOME), gethostname(), the uid. */
export function localIdentity(overrides: { homeDir?: string; localUser?: string; localHostname?: string; uid?: number }): LocalIdentity {
  let info: { username: string; homedir: string } | undefined;
  try {
    info = os.userInfo();
  } catch {
    info = undefined;
  }
  return {
    user: overrides.localUser ?? info?.username ?? process.env.USER ?? '',
    homeDir: overrides.homeDir ?? info?.homedir ?? os.homedir(),
    hostname: overrides.localHostname ?? os.hostname(),
    uid: overrides.uid ?? process.getuid?.() ?? 0,
  };
}
