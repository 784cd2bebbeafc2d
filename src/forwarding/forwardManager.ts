// A host's forwards: starts them from specs, reports each one's state (active, reconnecting,
// failed with a reason), remembers them so they come back after a window reload, and stops
// them. Local and dynamic listeners stay up while the connection reconnects (new connections
// wait for it); remote ones are asked for again once it is back (RemoteForward does that).
import { Emitter } from '../common/event';
import { Logger } from '../common/log';
import { ForwardingHost, HostLinkState } from './connectionPort';
import { DynamicForward } from './dynamicForward';
import { ForwardError } from './forwardError';
import { formatEndpoint, formatForwardSpec, ForwardSpec, parseForwardSpec } from './forwardSpec';
import { LocalForward } from './localForward';
import { ListenOptions } from './localListeners';
import { RemoteForward } from './remotePortForward';
import { TrafficSnapshot } from './trafficStats';

export type ForwardOrigin = 'user' | 'config' | 'auto';
export type ForwardStateName = 'starting' | 'active' | 'reconnecting' | 'failed';

export interface ForwardRow {
  readonly id: number;
  readonly host: string;
  readonly spec: ForwardSpec;
  readonly origin: ForwardOrigin;
  readonly state: ForwardStateName;
  /** Why it failed or is reconnecting, in words for the row's tooltip. */
  readonly reason?: string;
  /** For a local port in use: the next free one to offer. */
  readonly suggestedPort?: number;
  /** Local address(es) bound, or the remote port the server bound, as text. */
  readonly localAddress?: string;
  /** The local TCP port bound (local and dynamic forwards), when bound. */
  readonly localPort?: number;
  readonly remoteAddress: string;
  /** The local port differs from the one asked for (the row says so). */
  readonly portChanged: boolean;
  readonly traffic: TrafficSnapshot;
}

/** Where remembered forwards are kept (globalState in the editor, a Map in tests). */
export interface ForwardMemory {
  load(host: string): readonly string[];
  /** Hosts with remembered forwards (their local ports are kept free of auto-forwards). */
  hosts?(): readonly string[];
  save(host: string, specs: readonly string[]): void | Promise<void>;
}

type Running = LocalForward | DynamicForward | RemoteForward;

interface Entry {
  readonly id: number;
  readonly spec: ForwardSpec;
  readonly origin: ForwardOrigin;
  running?: Running;
  state: ForwardStateName;
  reason?: string;
  suggestedPort?: number;
  subs: { dispose(): void }[];
}

const NO_TRAFFIC: TrafficSnapshot = { active: 0, opened: 0, failed: 0, bytesUp: 0, bytesDown: 0 };
let nextId = 1;

export class HostForwards {
  private readonly entries = new Map<number, Entry>();
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly stopped = new Emitter<ForwardRow>();
  /** Fires when a forward is stopped with stop() (by the user or by auto-forwarding). */
  readonly onDidStop = this.stopped.event;
  private readonly hostSub: { dispose(): void };
  private disposed = false;

  constructor(
    private readonly host: ForwardingHost,
    private readonly log: Logger,
    private readonly memory?: ForwardMemory,
    private readonly listenOptions: ListenOptions = {},
  ) {
    this.hostSub = host.onDidChangeState((s) => this.onHostState(s));
  }

  get rows(): ForwardRow[] {
    return [...this.entries.values()].map((e) => this.row(e));
  }

  row(id: number): ForwardRow | undefined;
  row(e: Entry): ForwardRow;
  row(x: number | Entry): ForwardRow | undefined {
    const e = typeof x === 'number' ? this.entries.get(x) : x;
    if (!e) return undefined;
    const r = e.running;
    const asked = e.spec.listen.kind === 'tcp' ? e.spec.listen.port : undefined;
    let localAddress: string | undefined;
    let bound: number | undefined;
    if (r instanceof RemoteForward) {
      bound = r.remotePort;
    } else if (r) {
      localAddress = r.addresses.map(formatEndpoint).join(', ');
      bound = r.localPort;
    }
    const remoteAddress = e.spec.kind === 'dynamic' ? 'SOCKS5' : e.spec.kind === 'remote' ? formatEndpoint({ ...e.spec.listen, port: bound ?? e.spec.listen.port }) : formatEndpoint(e.spec.target);
    return {
      id: e.id,
      host: this.host.name,
      spec: e.spec,
      origin: e.origin,
      state: e.state,
      reason: e.reason,
      suggestedPort: e.suggestedPort,
      localAddress: e.spec.kind === 'remote' ? formatEndpoint(e.spec.target) : localAddress,
      localPort: e.spec.kind === 'remote' ? undefined : bound,
      remoteAddress,
      portChanged: asked !== undefined && asked !== 0 && bound !== undefined && bound !== asked,
      traffic: r?.stats.snapshot ?? NO_TRAFFIC,
    };
  }

  /** Starts a forward; resolves its row (state active, or failed with the reason; never half-made). */
  async add(spec: ForwardSpec, origin: ForwardOrigin = 'user'): Promise<ForwardRow> {
    const entry: Entry = { id: nextId++, spec, origin, state: 'starting', subs: [] };
    this.entries.set(entry.id, entry);
    this.changed.fire();
    await this.run(entry);
    if (origin === 'user') await this.remember();
    return this.row(entry);
  }

  /** Starts the remembered forwards (after a window reload or on connect). */
  async restore(): Promise<ForwardRow[]> {
    const rows: ForwardRow[] = [];
    for (const text of this.memory?.load(this.host.name) ?? []) {
      let spec: ForwardSpec;
      try {
        spec = parseForwardSpec(text);
      } catch (err) {
        this.log.warn(`remembered forward "${text}" on ${this.host.name} is not valid any more: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      if (this.rows.some((r) => formatForwardSpec(r.spec) === formatForwardSpec(spec))) continue;
      rows.push(await this.add(spec, 'user'));
    }
    return rows;
  }

  /** Stops one forward, on its own, and forgets it. */
  async stop(id: number): Promise<void> {
    const e = this.entries.get(id);
    if (!e) return;
    const row = this.row(e);
    this.entries.delete(id);
    await this.halt(e);
    this.changed.fire();
    this.stopped.fire(row);
    if (e.origin === 'user') await this.remember();
  }

  /** Stops and starts one forward again (e.g. after it failed). */
  async restart(id: number): Promise<ForwardRow | undefined> {
    const e = this.entries.get(id);
    if (!e) return undefined;
    await this.halt(e);
    e.state = 'starting';
    e.reason = undefined;
    e.suggestedPort = undefined;
    this.changed.fire();
    await this.run(e);
    return this.row(e);
  }

  private async run(e: Entry): Promise<void> {
    const common = { host: this.host, log: this.log, ...this.listenOptions };
    try {
      const spec = e.spec;
      const running: Running =
        spec.kind === 'local' ? await LocalForward.start({ ...common, spec }) : spec.kind === 'dynamic' ? await DynamicForward.start({ ...common, spec }) : await RemoteForward.start({ ...common, spec });
      if (this.disposed || !this.entries.has(e.id)) return void (await running.dispose());
      e.running = running;
      e.subs.push(running.stats.onDidChange(() => this.changed.fire()));
      if (running instanceof RemoteForward) {
        e.subs.push(
          running.onDidChangeState((s) => {
            e.state = s.state;
            e.reason = s.state === 'active' ? undefined : s.reason;
            this.changed.fire();
          }),
        );
      }
      e.state = this.host.state === 'reconnecting' ? 'reconnecting' : 'active';
    } catch (err) {
      e.state = 'failed';
      e.reason = err instanceof Error ? err.message : String(err);
      e.suggestedPort = ForwardError.is(err) ? err.suggestedPort : undefined;
      this.log.warn(`forward ${formatForwardSpec(e.spec)} on ${this.host.name}: ${e.reason}`);
    }
    this.changed.fire();
  }

  private async halt(e: Entry): Promise<void> {
    e.subs.forEach((s) => s.dispose());
    e.subs = [];
    const r = e.running;
    e.running = undefined;
    await r?.dispose();
  }

  private onHostState(state: HostLinkState): void {
    for (const e of this.entries.values()) {
      // Remote forwards report their own state; a failed start stays failed until restarted.
      if (!e.running || e.running instanceof RemoteForward) continue;
      if (state === 'reconnecting' || state === 'connecting') {
        e.state = 'reconnecting';
        e.reason = 'the connection dropped; reconnecting';
      } else if (state === 'connected') {
        e.state = 'active';
        e.reason = undefined;
      } else if (state === 'failed' || state === 'disconnected') {
        e.state = 'failed';
        e.reason = state === 'failed' ? 'the host could not be reconnected' : 'the host was disconnected';
      }
    }
    this.changed.fire();
  }

  private async remember(): Promise<void> {
    if (!this.memory || this.disposed) return;
    const specs = [...this.entries.values()].filter((e) => e.origin === 'user').map((e) => formatForwardSpec(e.spec));
    await this.memory.save(this.host.name, specs);
  }

  /** Stops every forward (they stay remembered) and lets go of the host. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.hostSub.dispose();
    await Promise.all([...this.entries.values()].map((e) => this.halt(e)));
    this.entries.clear();
    this.changed.dispose();
    this.stopped.dispose();
  }
}
