// Setting keys as constants, read through typed getters (`settings`, the one reader of this
// extension's configuration), each with when a change takes effect (APPLIES).
//
// Where a value may come from is decided here, once. VS Code trusts an sbx:// window
// without asking, and such a window's folder settings (.vscode/settings.json) and a
// .code-workspace file on the sandbox are written by the sandbox. So:
// - every setting that picks a host, a command, a key or a file, and every connection
//   setting, is read from user settings only (package.json gives them `machine` scope
//   as well; this code does not rely on that);
// - settings that change what happens to remote files are also taken from a trusted
//   workspace whose settings live on this machine, never from a sandbox.
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { SCHEME } from '../fs/remotePath';
import { expandLocalTilde } from '../ssh/config/localTilde';
import { PoolSettings } from '../ssh/pool';
import { DEFAULT_MAX_LISTING_ENTRIES } from '../ssh/sftp';

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
  inPlaceSave: 'files.inPlaceSave',
  copyWithExec: 'files.copyWithExec',
  transferSymlinks: 'transfers.symlinks',
  maxListingEntries: 'files.maxListingEntries',
  requestTimeoutSeconds: 'files.requestTimeoutSeconds',
  terminalEnv: 'terminal.env',
  hostGroups: 'hostGroups',
  gateways: 'gateways',
  portsAutoForward: 'ports.autoForward',
  portsAttributes: 'ports.attributes',
  portsOtherAttributes: 'ports.otherPortsAttributes',
  portsBindAddress: 'ports.bindAddress',
  portsDetectionInterval: 'ports.detectionIntervalSeconds',
  terminalPersistentSessions: 'terminal.persistentSessions',
  terminalEncoding: 'terminal.encoding',
} as const;

export type SettingName = keyof typeof SETTING;

/**
 * When a changed value takes effect: `live` at once (each use reads it, and a running idle timer
 * is re-armed), `nextConnect` when a host next connects (an open connection keeps what it
 * started with). package.json's description of each setting says the same, in APPLIES_TEXT's
 * words (test/unit/manifest/settingsApply.test.ts).
 */
export type Applies = 'live' | 'nextConnect';

export const APPLIES_TEXT: Record<Applies, string> = {
  live: 'Applies at once.',
  nextConnect: 'Applies on the next connect.',
};

export const APPLIES: Record<SettingName, Applies> = {
  // The Hosts view lists the change at once; a connection uses it from its next connect.
  hosts: 'nextConnect',
  sshConfigFile: 'nextConnect',
  idleTimeoutSeconds: 'live',
  keepaliveIntervalSeconds: 'nextConnect',
  keepaliveCountMax: 'nextConnect',
  maxSessions: 'nextConnect',
  connectTimeoutSeconds: 'nextConnect',
  trustedHostKeysFile: 'nextConnect',
  inPlaceSave: 'live',
  copyWithExec: 'live',
  transferSymlinks: 'live',
  maxListingEntries: 'live',
  requestTimeoutSeconds: 'nextConnect',
  // Read when a terminal opens: terminals opened after a change get it.
  terminalEnv: 'live',
  // Only where the Hosts view lists a host.
  hostGroups: 'live',
  // The Hosts view lists the change at once; a sandbox uses it from its next connect.
  gateways: 'nextConnect',
  // Read at each detection, auto-forward and new forward.
  portsAutoForward: 'live',
  portsAttributes: 'live',
  portsOtherAttributes: 'live',
  portsBindAddress: 'live',
  portsDetectionInterval: 'nextConnect',
  terminalPersistentSessions: 'live',
  terminalEncoding: 'live',
};

/** Settings a trusted workspace on this machine may change; every other one is user-only. */
export const WORKSPACE_SETTINGS: readonly string[] = [SETTING.inPlaceSave, SETTING.copyWithExec];

/** The settings open connections hold a value of (a running idle timer) and that still apply live. */
const LIVE_CONNECTION_SETTINGS: readonly SettingName[] = ['idleTimeoutSeconds'];

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

/** The value from user settings only, ignoring workspace and folder values. */
function userValue<T>(key: string, fallback: T): T {
  const inspected = config().inspect<T>(key);
  return inspected?.globalValue ?? inspected?.defaultValue ?? fallback;
}

/**
 * True when workspace settings come from this machine and the user trusts them: a trusted
 * window whose workspace file, or single folder, is not on a sandbox.
 */
export function workspaceSettingsAreLocal(): boolean {
  if (!vscode.workspace.isTrusted) return false;
  const source = vscode.workspace.workspaceFile ?? (vscode.workspace.workspaceFolders?.length === 1 ? vscode.workspace.workspaceFolders[0].uri : undefined);
  return source !== undefined && source.scheme !== SCHEME;
}

/** User value, overridden by a workspace value only when the workspace is local and trusted. Folder values never count. */
function localWorkspaceValue<T>(key: string, fallback: T): T {
  const inspected = config().inspect<T>(key);
  const workspace = workspaceSettingsAreLocal() ? inspected?.workspaceValue : undefined;
  return workspace ?? inspected?.globalValue ?? inspected?.defaultValue ?? fallback;
}

/** A local path typed in a setting, `~` expanded as ssh does; as typed when its `~user` is unknown (reading it then fails and says so). */
function expandSettingPath(file: string): string {
  try {
    return expandLocalTilde(file);
  } catch {
    return file;
  }
}

function positive(value: unknown, fallback: number, min: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.max(min, value) : fallback;
}

/**
 * The extension's settings, the one reader of its configuration: each getter reads the value
 * now (so every use sees a change at once) from where it may come from (see the top of this
 * file); APPLIES says when what it feeds takes the new value.
 */
export interface EditorSettings {
  hosts(): unknown[];
  writeHosts(hosts: unknown[]): Promise<void>;
  sshConfigFiles(): string[];
  pool(): PoolSettings;
  trustFile(globalStorage: vscode.Uri): string;
  inPlaceSave(): 'ask' | 'always' | 'never';
  maxListingEntries(): number;
  copyWithExec(): boolean;
  transferSymlinks(): 'skip' | 'recreate';
  openHosts(extension: vscode.Extension<unknown>): Thenable<unknown>;
  affectsHosts(e: vscode.ConfigurationChangeEvent): boolean;
  onDidChangeLiveConnectionSettings(listener: () => void): vscode.Disposable;
  terminalEnv(): Record<string, string | null>;
  hostGroups(): Record<string, string>;
  writeHostGroups(groups: Record<string, string>): Promise<void>;
  gateways(): unknown[];
  affectsGateways(e: vscode.ConfigurationChangeEvent): boolean;
  terminalPersistentSessions(): 'auto' | 'off';
  terminalEncoding(host: string): string | undefined;
  ports(): PortsSettings;
}

/** The Ports feature's settings, all from user settings only (they decide what listens on this machine). */
export interface PortsSettings {
  /** `notify` (default, like VS Code): forward detected ports and say so once; `off`: nothing is forwarded unasked. */
  readonly autoForward: 'notify' | 'off';
  /** Raw `ports.attributes` and `ports.otherPortsAttributes` values; the forwarding core validates them. */
  readonly attributes: unknown;
  readonly otherPortsAttributes: unknown;
  /** Where local forwards listen unless a forward names an address. */
  readonly bindAddress: string;
  readonly detectionIntervalMs: number;
}

export const settings: EditorSettings = {
  /** Sandbox gateways (name, REST URL, SSH fallback, timeout): they pick hosts and receive a token, so user settings only. */
  gateways(): unknown[] {
    const value = userValue<unknown>(SETTING.gateways, []);
    return Array.isArray(value) ? value : [];
  },

  affectsGateways(e: vscode.ConfigurationChangeEvent): boolean {
    return e.affectsConfiguration(`${SECTION}.${SETTING.gateways}`);
  },

  /** Variables for sandbox terminals (`null` removes a SetEnv one); user settings only: they go to the remote. */
  terminalEnv(): Record<string, string | null> {
    const value = userValue<unknown>(SETTING.terminalEnv, {});
    if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
    const out: Record<string, string | null> = {};
    for (const [name, v] of Object.entries(value)) if (typeof v === 'string' || v === null) out[name] = v;
    return out;
  },

  /** Groups for hosts from ~/.ssh/config, by alias (ssh config has no place for one). */
  hostGroups(): Record<string, string> {
    const value = userValue<unknown>(SETTING.hostGroups, {});
    if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
    const out: Record<string, string> = {};
    for (const [name, group] of Object.entries(value)) if (typeof group === 'string' && group.trim()) out[name] = group.trim();
    return out;
  },

  async writeHostGroups(groups: Record<string, string>): Promise<void> {
    await config().update(SETTING.hostGroups, Object.keys(groups).length ? groups : undefined, vscode.ConfigurationTarget.Global);
  },

  ports(): PortsSettings {
    const bind = userValue<unknown>(SETTING.portsBindAddress, '127.0.0.1');
    return {
      autoForward: userValue<unknown>(SETTING.portsAutoForward, 'notify') === 'off' ? 'off' : 'notify',
      attributes: userValue<unknown>(SETTING.portsAttributes, {}),
      otherPortsAttributes: userValue<unknown>(SETTING.portsOtherAttributes, undefined),
      bindAddress: typeof bind === 'string' && bind.trim() ? bind.trim() : '127.0.0.1',
      detectionIntervalMs: positive(userValue(SETTING.portsDetectionInterval, 3), 3, 1) * 1000,
    };
  },

  /** Whether terminals run in tmux sessions when the remote has tmux; user settings only (it starts programs on the remote). */
  terminalPersistentSessions(): 'auto' | 'off' {
    return userValue<string>(SETTING.terminalPersistentSessions, 'auto') === 'off' ? 'off' : 'auto';
  },

  /** The host's terminal encoding (a WHATWG label): its own entry, else `*`'s; undefined means UTF-8. */
  terminalEncoding(host: string): string | undefined {
    const value = userValue<unknown>(SETTING.terminalEncoding, {});
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const map = value as Record<string, unknown>;
    const label = Object.prototype.hasOwnProperty.call(map, host) ? map[host] : map['*'];
    return typeof label === 'string' && label.trim() ? label.trim() : undefined;
  },

  hosts(): unknown[] {
    const value = userValue<unknown>(SETTING.hosts, []);
    return Array.isArray(value) ? value : [];
  },

  /** Replaces the user-level hosts list (the only one ever read). */
  async writeHosts(hosts: unknown[]): Promise<void> {
    await config().update(SETTING.hosts, hosts, vscode.ConfigurationTarget.Global);
  },

  sshConfigFiles(): string[] {
    const raw = userValue<unknown>(SETTING.sshConfigFile, '');
    const extra = typeof raw === 'string' ? raw.trim() : '';
    // Read right after the user's own file, like OpenSSH's user-then-system order: its values
    // lose to ~/.ssh/config and win over /etc/ssh/ssh_config.
    const user = path.join(os.homedir(), '.ssh', 'config');
    return extra ? [user, expandSettingPath(extra), '/etc/ssh/ssh_config'] : [user, '/etc/ssh/ssh_config'];
  },

  /** Connection settings; see APPLIES for when each takes effect. */
  pool(): PoolSettings {
    return {
      idleTimeoutMs: positive(userValue(SETTING.idleTimeoutSeconds, 60), 60, 0) * 1000,
      keepaliveIntervalMs: positive(userValue(SETTING.keepaliveIntervalSeconds, 5), 5, 1) * 1000,
      keepaliveCountMax: positive(userValue(SETTING.keepaliveCountMax, 3), 3, 1),
      maxSessions: positive(userValue(SETTING.maxSessions, 10), 10, 1),
      connectTimeoutMs: positive(userValue(SETTING.connectTimeoutSeconds, 30), 30, 1) * 1000,
      sftpRequestTimeoutMs: positive(userValue(SETTING.requestTimeoutSeconds, 60), 60, 1) * 1000,
    };
  },

  /** Where accepted host keys go: the extension's own file, or ~/.ssh/known_hosts. */
  trustFile(globalStorage: vscode.Uri): string {
    return userValue<string>(SETTING.trustedHostKeysFile, 'extension') === 'userKnownHosts'
      ? path.join(os.homedir(), '.ssh', 'known_hosts')
      : path.join(globalStorage.fsPath, 'known_hosts');
  },

  inPlaceSave(): 'ask' | 'always' | 'never' {
    const value = localWorkspaceValue<string>(SETTING.inPlaceSave, 'ask');
    return value === 'always' || value === 'never' ? value : 'ask';
  },

  /** A bound against hostile servers, so a sandbox's own settings must not raise it: user value only. */
  maxListingEntries(): number {
    return Math.floor(positive(userValue(SETTING.maxListingEntries, DEFAULT_MAX_LISTING_ENTRIES), DEFAULT_MAX_LISTING_ENTRIES, 1000));
  },

  copyWithExec(): boolean {
    return localWorkspaceValue<boolean>(SETTING.copyWithExec, false) === true;
  },

  /** What Upload and Download do with links inside a folder; it decides what gets created on this machine, so user settings only. */
  transferSymlinks(): 'skip' | 'recreate' {
    return userValue<string>(SETTING.transferSymlinks, 'skip') === 'recreate' ? 'recreate' : 'skip';
  },

  /**
   * Opens the settings JSON that holds the user's hosts, at the sandboxExplorer.hosts key. In
   * a remote window (code-server) machine-scoped settings are written to the remote's user
   * settings, so that file is opened there.
   */
  openHosts(extension: vscode.Extension<unknown>): Thenable<unknown> {
    const key = `${SECTION}.${SETTING.hosts}`;
    const scope: unknown = extension.packageJSON?.contributes?.configuration?.properties?.[key]?.scope;
    const remote = vscode.env.remoteName !== undefined && (scope === 'machine' || scope === 'machine-overridable');
    return vscode.commands.executeCommand(remote ? 'workbench.action.openRemoteSettingsFile' : 'workbench.action.openSettingsJson', { revealSetting: { key } });
  },

  affectsHosts(e: vscode.ConfigurationChangeEvent): boolean {
    return e.affectsConfiguration(`${SECTION}.${SETTING.hosts}`) || e.affectsConfiguration(`${SECTION}.${SETTING.sshConfigFile}`) || e.affectsConfiguration(`${SECTION}.${SETTING.hostGroups}`);
  },

  /**
   * Calls `listener` when a setting that applies live to open connections changes (the idle
   * timeout). The others are read again at each use or connect and need no notice.
   */
  onDidChangeLiveConnectionSettings(listener: () => void): vscode.Disposable {
    const keys = LIVE_CONNECTION_SETTINGS.map((name) => `${SECTION}.${SETTING[name]}`);
    return vscode.workspace.onDidChangeConfiguration((e) => {
      if (keys.some((key) => e.affectsConfiguration(key))) listener();
    });
  },
};
