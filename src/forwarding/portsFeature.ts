// The Ports feature as the composition root builds it: the PortsService over the pool, the
// Ports view, the forward rows for the Hosts view, remembered forwards in globalState (specs
// only: no secrets), the settings, and the commands once the command helper exists.
import * as vscode from 'vscode';
import { Logger } from '../common/log';
import { Commands } from '../editor/commands';
import { settings } from '../editor/settings';
import { ConnectionPool } from '../ssh/pool';
import { AutoForwardNotice } from './autoForward';
import { ConfigForwardLike, fromConfigForward } from './configForwards';
import { HostLinkState } from './connectionPort';
import { ForwardMemory, ForwardRow } from './forwardManager';
import { ForwardSpec } from './forwardSpec';
import { PortsService } from './hostPorts';
import { isLoopbackBind } from './localListeners';
import { PortAttributesMatcher } from './portAttributes';
import { browserTarget, PORTS_COMMAND, registerPortsCommands, showAutoForwardNotice } from './portsCommands';
import { PORTS_VIEW, PortsNode, PortsTreeProvider } from './portsView';
import { acquireForwardingHost } from './sshConnectionPort';

/** A host's ssh config forwards, by shape (src/ssh/config's ResolvedHost). */
export interface HostConfigForwards {
  readonly localForwards: readonly ConfigForwardLike[];
  readonly remoteForwards: readonly ConfigForwardLike[];
  readonly dynamicForwards: readonly ConfigForwardLike[];
}

export interface PortsFeatureDeps {
  readonly pool: ConnectionPool;
  resolve(name: string): Promise<HostConfigForwards>;
  /** The names of the user's hosts (not jump hops). */
  hostNames(): Promise<string[]>;
  /** The ssh config forwards of every host whose config is read on this machine (no gateway API call), connected or not: their local ports are kept free of auto-forwards. */
  configuredHosts?(): Promise<readonly HostConfigForwards[]>;
  readonly globalState: vscode.Memento;
  readonly log: Logger;
}

const MEMORY_KEY = 'sandboxExplorer.ports.remembered';

/** Remembered forwards per host, as the spec text the parser reads back. */
export function globalStateMemory(state: vscode.Memento): ForwardMemory {
  const all = () => state.get<Record<string, string[]>>(MEMORY_KEY, {});
  return {
    hosts: () => Object.keys(all()),
    load: (host) => {
      const specs = all()[host];
      return Array.isArray(specs) ? specs.filter((s) => typeof s === 'string') : [];
    },
    save: (host, specs) => {
      const next = { ...all() };
      if (specs.length) next[host] = [...specs];
      else delete next[host];
      return Promise.resolve(state.update(MEMORY_KEY, next));
    },
  };
}

export class PortsFeature implements vscode.Disposable {
  readonly service: PortsService;
  readonly tree: PortsTreeProvider;
  private readonly disposables: vscode.Disposable[] = [];
  private attributesText = '';
  private attributes = PortAttributesMatcher.fromSettings({});
  private readonly openedOnce = new Set<string>();

  constructor(private readonly deps: PortsFeatureDeps) {
    const { pool, log } = deps;
    this.disposables.push(pool.onDidChangeState((c) => this.seen.add(c.host)));
    this.service = new PortsService({
      acquire: (name) => acquireForwardingHost(pool, name),
      hostState: (name) => pool.state(name).state as HostLinkState,
      isHost: async (name) => (await deps.hostNames()).includes(name),
      onDidChangeHostState: (listener) => pool.onDidChangeState((c) => listener({ host: c.host, state: c.state as HostLinkState })),
      configForwards: (name) => this.configForwards(name),
      configuredLocalPorts: () => this.configuredLocalPorts(),
      memory: globalStateMemory(deps.globalState),
      settings: () => {
        const s = settings.ports();
        return { autoForward: s.autoForward === 'notify', attributes: this.matcher(), allowNonLoopback: !isLoopbackBind(s.bindAddress), detectionIntervalMs: s.detectionIntervalMs };
      },
      notify: (host, notice) => this.notice(host, notice),
      log,
    });
    this.tree = new PortsTreeProvider(this.service);
    const view = vscode.window.createTreeView(PORTS_VIEW, { treeDataProvider: this.tree });
    const connected = () => this.connectedHosts();
    this.disposables.push(
      this.tree,
      view,
      view.onDidChangeVisibility((e) => this.service.setWatching(e.visible, connected)),
      // A host that connects while the view is on screen is watched too (PortsService does that on 'connected').
    );
    if (view.visible) this.service.setWatching(true, connected);
  }

  registerCommands(commands: Commands): vscode.Disposable {
    const d = registerPortsCommands(commands, {
      ports: this.service,
      connectedHosts: () => this.connectedHosts(),
      bindAddress: () => settings.ports().bindAddress,
      protocolOf: (port) => this.matcher().match(port).attributes.protocol,
      log: this.deps.log,
    });
    this.disposables.push(d);
    return d;
  }

  private connectedHosts(): string[] {
    // The pool knows every host it made; the ones that are up now.
    return this.knownHosts.filter((h) => this.deps.pool.state(h).state === 'connected');
  }

  /** Hosts whose state the pool reported (a host never used is not connected). */
  private get knownHosts(): string[] {
    return [...this.seen];
  }
  private readonly seen = new Set<string>();

  /** The attributes settings, validated once per change; problems are logged once. */
  private matcher(): PortAttributesMatcher {
    const s = settings.ports();
    const text = JSON.stringify([s.attributes, s.otherPortsAttributes]);
    if (text !== this.attributesText) {
      this.attributesText = text;
      this.attributes = PortAttributesMatcher.fromSettings(s.attributes, s.otherPortsAttributes);
      for (const p of this.attributes.problems) this.deps.log.warn(`sandboxExplorer.ports.attributes: ${p} (ignored)`);
    }
    return this.attributes;
  }

  private async configForwards(name: string): Promise<readonly ForwardSpec[]> {
    let resolved: HostConfigForwards;
    try {
      resolved = await this.deps.resolve(name);
    } catch {
      return [];
    }
    const specs: ForwardSpec[] = [];
    const add = (list: readonly ConfigForwardLike[], kind: 'local' | 'remote' | 'dynamic') => {
      for (const f of list) {
        const r = fromConfigForward(f, kind);
        if ('spec' in r) specs.push(r.spec);
        else this.deps.log.info(`ssh config ${kind} forward of ${name} not started: ${r.skipped}`);
      }
    };
    add(resolved.localForwards, 'local');
    add(resolved.remoteForwards, 'remote');
    add(resolved.dynamicForwards, 'dynamic');
    return specs;
  }

  private async configuredLocalPorts(): Promise<number[]> {
    const ports: number[] = [];
    for (const resolved of (await this.deps.configuredHosts?.()) ?? []) {
      for (const [list, kind] of [[resolved.localForwards, 'local'], [resolved.dynamicForwards, 'dynamic']] as const) {
        for (const f of list) {
          const r = fromConfigForward(f, kind);
          if ('spec' in r && r.spec.kind !== 'remote' && r.spec.listen.kind === 'tcp' && r.spec.listen.port) ports.push(r.spec.listen.port);
        }
      }
    }
    return ports;
  }

  private notice(host: string, notice: AutoForwardNotice): void {
    const node = (row: ForwardRow): PortsNode => ({ view: 'ports', kind: 'forward', host, row });
    showAutoForwardNotice(
      host,
      notice,
      {
        openBrowser: async (row, _host, automatically) => {
          const byHand = () => vscode.commands.executeCommand(PORTS_COMMAND.openBrowser, node(row));
          if (!automatically) return byHand();
          const target = await browserTarget(row, (port) => this.matcher().match(port).attributes.protocol).catch(() => undefined);
          if (target && !target.onWorkbenchOrigin) return vscode.env.openExternal(target.external);
          // Never opened by itself on the editor's own origin: the user decides (and is warned).
          this.deps.log.info(`ports: ${host} ${row.remoteAddress} not opened automatically: the editor would show it on its own address`);
          const open = 'Open in Browser';
          const picked = await vscode.window.showInformationMessage(`Forwarded from ${host}: ${row.remoteAddress} → ${row.localAddress ?? '?'}. Not opened automatically: this editor would show it on its own address.`, open);
          return picked === open ? byHand() : undefined;
        },
        forwardOn: (h, port, localPort) => this.service.forward(h, { kind: 'local', listen: { kind: 'tcp', host: settings.ports().bindAddress, port: localPort }, target: { kind: 'tcp', host: 'localhost', port } }, 'user'),
      },
      this.openedOnce,
    );
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
    void this.service.dispose();
  }
}
