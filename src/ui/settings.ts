// Setting keys as constants, read through typed getters. Settings that choose hosts or
// run commands are read from user settings only until the workspace is trusted.
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { PoolSettings } from '../ssh/pool';

export const SECTION = 'sandboxExplorer';
export const SETTING = {
  hosts: 'hosts',
  sshConfigFile: 'sshConfigFile',
  idleTimeoutSeconds: 'idleTimeoutSeconds',
  keepaliveIntervalSeconds: 'keepaliveIntervalSeconds',
  keepaliveCountMax: 'keepaliveCountMax',
  maxSessions: 'maxSessions',
  connectTimeoutSeconds: 'connectTimeoutSeconds',
  trustedHostKeysFile: 'trustedHostKeysFile',
  copyWithExec: 'files.copyWithExec',
} as const;

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

/** The value from user (global) settings only, ignoring workspace and folder values. */
function userValue<T>(key: string, fallback: T): T {
  const inspected = config().inspect<T>(key);
  return inspected?.globalValue ?? inspected?.defaultValue ?? fallback;
}

/** Restricted settings: workspace values count only in a trusted workspace. */
function restricted<T>(key: string, fallback: T): T {
  return vscode.workspace.isTrusted ? config().get<T>(key, fallback) : userValue(key, fallback);
}

export const settings = {
  hosts(): unknown[] {
    const value = restricted<unknown>(SETTING.hosts, []);
    return Array.isArray(value) ? value : [];
  },

  sshConfigFiles(): string[] {
    const extra = restricted<string>(SETTING.sshConfigFile, '').trim();
    // Read right after the user's own file, like OpenSSH's user-then-system order: its values
    // lose to ~/.ssh/config and win over /etc/ssh/ssh_config.
    const user = path.join(os.homedir(), '.ssh', 'config');
    return extra ? [user, extra.startsWith('~') ? path.join(os.homedir(), extra.slice(1)) : extra, '/etc/ssh/ssh_config'] : [user, '/etc/ssh/ssh_config'];
  },

  pool(): PoolSettings {
    const c = config();
    return {
      idleTimeoutMs: Math.max(0, c.get<number>(SETTING.idleTimeoutSeconds, 60)) * 1000,
      keepaliveIntervalMs: Math.max(1, c.get<number>(SETTING.keepaliveIntervalSeconds, 15)) * 1000,
      keepaliveCountMax: Math.max(1, c.get<number>(SETTING.keepaliveCountMax, 3)),
      maxSessions: Math.max(1, c.get<number>(SETTING.maxSessions, 10)),
      connectTimeoutMs: Math.max(1, c.get<number>(SETTING.connectTimeoutSeconds, 30)) * 1000,
    };
  },

  /** Where accepted host keys go: the extension's own file, or ~/.ssh/known_hosts. */
  trustFile(globalStorage: vscode.Uri): string {
    return userValue<string>(SETTING.trustedHostKeysFile, 'extension') === 'userKnownHosts'
      ? path.join(os.homedir(), '.ssh', 'known_hosts')
      : path.join(globalStorage.fsPath, 'known_hosts');
  },

  copyWithExec(): boolean {
    return config().get<boolean>(SETTING.copyWithExec, false);
  },

  affectsHosts(e: vscode.ConfigurationChangeEvent): boolean {
    return e.affectsConfiguration(`${SECTION}.${SETTING.hosts}`) || e.affectsConfiguration(`${SECTION}.${SETTING.sshConfigFile}`);
  },
};
