import * as vscode from 'vscode';
import { Logger } from '../common/log';
import { displayUser, hasUserToken, splitUserToken } from '../common/userToken';
import { formatHop, parseJump } from '../ssh/config/jump';
import { ResolvedHost } from '../ssh/config/resolvedHost';
import { JumpHop } from '../ssh/config/userHostPort';
import { SshError } from '../ssh/errors';
import { settings } from '../editor/settings';
import { ExternalHosts, GatewayGroup, HostEntry, hostFromSettings } from '../common/hostEntry';
import { HostTarget } from './hostLabels';
import { resolveEntry } from './resolveEntry';
import { resolveSandbox } from './resolveSandbox';

/** Reads ssh_config files (plain Node; see src/ssh/config). */
export interface SshConfigSource {
  /** Concrete `Host` names (no patterns), following Includes. */
  aliases(files: string[]): string[];
  /** `preset` is what `ssh -l user -p port` fixes before the config is read. */
  resolve(alias: string, files: string[], preset?: Omit<JumpHop, 'host'>): ResolvedHost;
}

/** Every host the user can pick (settings first, then ssh config) and how to reach it. Connection states are HostStates'. */
export class HostRegistry implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** The hosts listed changed (what the tree lists). */
  readonly onDidChange = this.changed.event;
  private readonly hostsChanged = new vscode.EventEmitter<void>();
  /** The set of hosts or their settings changed. */
  readonly onDidChangeHosts = this.hostsChanged.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Hosts already warned about a token in their `user` setting (once per host and session). */
  private readonly tokenWarnings = new Set<string>();

  constructor(
    private readonly sshConfig: SshConfigSource,
    private readonly log: Logger,
    /** Sandbox gateways' hosts (the composition root wires them in; src/hosts never imports them). */
    private readonly external?: ExternalHosts,
  ) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (settings.affectsHosts(e)) this.fireHostsChanged();
      }),
    );
    if (external) this.subscriptions.push(external.onDidChange(() => this.changed.fire()));
  }

  /** Groups another source shows even when empty (a gateway without sandboxes), with its problem. */
  externalGroups(): GatewayGroup[] {
    return this.external?.groups() ?? [];
  }

  /** What a host waits for beyond connecting ("resuming sandbox…"), for the tree. */
  activity(name: string): string | undefined {
    return this.external?.activity(name);
  }

  /** `activity(name)` changed. */
  onDidChangeActivity(listener: (name: string) => void): vscode.Disposable {
    const subscription = this.external?.onDidChangeActivity(listener);
    return new vscode.Disposable(() => subscription?.dispose());
  }

  private fireHostsChanged(): void {
    this.hostsChanged.fire();
    this.changed.fire();
  }

  async hosts(): Promise<HostEntry[]> {
    const fromSettings = this.settingsHosts();
    const names = new Set(fromSettings.map((h) => h.name));
    const aliases = this.aliases(settings.sshConfigFiles(), true);
    const groups = settings.hostGroups();
    const fromConfig = aliases.filter((a) => !names.has(a)).map((name): HostEntry => ({ name, source: 'sshConfig', enabled: true, group: Object.hasOwn(groups, name) ? groups[name] : undefined }));
    fromConfig.forEach((h) => names.add(h.name));
    return [...fromSettings, ...fromConfig, ...(await this.externalHosts()).filter((h) => !names.has(h.name))];
  }

  private aliases(files: string[], warn = false): string[] {
    try {
      return this.sshConfig.aliases(files);
    } catch (err) {
      if (warn) this.log.warn(`Could not read ssh config: ${err instanceof Error ? err.message : String(err)}`);
      return [];
    }
  }

  private async externalHosts(): Promise<HostEntry[]> {
    try {
      return (await this.external?.hosts()) ?? [];
    } catch (err) {
      this.log.warn(`Could not list gateway sandboxes: ${err instanceof Error ? err.message : String(err)}`);
      return [];
    }
  }

  private async externalHost(name: string): Promise<HostEntry | undefined> {
    try {
      return await this.external?.host(name);
    } catch (err) {
      this.log.warn(`Could not list gateway sandboxes: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  /** Connection parameters for a tree host, or for any ssh config alias. */
  async resolve(name: string, signal?: AbortSignal): Promise<ResolvedHost> {
    return this.resolveHop({ host: name }, signal);
  }

  /**
   * A ProxyJump hop (a tree host or an ssh config alias), resolved like `ssh -l user -p port
   * host`: the hop's user and port are fixed before the config is read.
   */
  async resolveHop(hop: JumpHop, signal?: AbortSignal): Promise<ResolvedHost> {
    const files = settings.sshConfigFiles();
    const entry = this.settingsHosts().find((h) => h.name === hop.host);
    // Only the gateway whose name ends the host name is asked, and only for a name no settings
    // entry or ssh config alias has: a slow gateway never holds other hosts.
    if (!entry && this.external && !this.aliases(files).includes(hop.host)) {
      const sandbox = await this.externalHost(hop.host);
      if (sandbox) return this.resolveSandbox(sandbox, files, signal);
    }
    if (entry && !entry.enabled) throw new SshError(`${hop.host} is disabled in settings`, 'config');
    const preset = { user: hop.user, port: hop.port };
    if (entry) return resolveEntry(entry, (alias, entryPreset) => this.sshConfig.resolve(alias, files, entryPreset), preset);
    return this.sshConfig.resolve(hop.host, files, preset);
  }

  /** A gateway sandbox: where its gateway's API says it is now, read through ssh config under the sandbox's own name (src/hosts/resolveSandbox.ts). */
  private async resolveSandbox(sandbox: HostEntry, files: string[], signal: AbortSignal | undefined): Promise<ResolvedHost> {
    const endpoint = await this.external!.endpoint(sandbox, signal);
    return resolveSandbox(sandbox.name, endpoint, (alias, preset) => this.sshConfig.resolve(alias, files, preset));
  }

  /** Where a host points: resolved through ssh config; the entry's own fields when that fails (or it is disabled). */
  async target(host: HostEntry): Promise<HostTarget> {
    if (host.source === 'gateway' && this.external) return this.external.target(host);
    if (host.enabled) {
      try {
        const r = await this.resolve(host.name);
        return { user: r.user, hostname: r.hostname, port: r.port, proxyJump: r.proxyJump.map(formatHop), proxyCommand: r.proxyCommand };
      } catch {
        // Shown as the entry says; the failure itself surfaces when connecting.
      }
    }
    return { user: host.user, hostname: host.hostname ?? host.name, port: host.port, proxyJump: jumpText(host.proxyJump), proxyCommand: host.proxyCommand };
  }

  private settingsHosts(): HostEntry[] {
    const hosts: HostEntry[] = [];
    for (const item of settings.hosts()) {
      const host = hostFromSettings(item);
      if (host) {
        hosts.push(host);
        this.warnAboutTokenInSettings(host);
      } else this.log.warn('Ignoring an invalid entry in sandboxExplorer.hosts (it needs a "name" without spaces or slashes).');
    }
    return hosts;
  }

  /** A `#token` typed into the user setting sits in clear in settings.json: say so once, masked. */
  private warnAboutTokenInSettings(host: HostEntry): void {
    if (!host.user || !hasUserToken(host.user) || this.tokenWarnings.has(host.name)) return;
    this.tokenWarnings.add(host.name);
    const { user } = splitUserToken(host.user);
    this.log.warn(
      `Host "${host.name}": its user setting (${displayUser(host.user)}) holds a token after "#" in clear in settings.json. ` +
        `Set "user": "${user}" and "userToken": true instead: the token is then asked for once and kept in the editor's secret storage.`,
    );
  }

  dispose(): void {
    this.subscriptions.forEach((d) => d.dispose());
    this.changed.dispose();
    this.hostsChanged.dispose();
  }
}

/** The hops of a settings proxyJump for the tree, as ssh reads them; as typed when ssh would refuse it. */
function jumpText(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const jump = parseJump(value);
  if (!jump) return [value];
  return jump.none ? [] : jump.hops.map(formatHop);
}
