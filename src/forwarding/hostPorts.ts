// Every host's forwards, detected ports and auto-forwarding, for the Ports view and the Hosts
// view's forward rows. Plain Node: the editor adapter (portsView.ts, portsCommands.ts) shows it.
// A host is held (one pool reference) while it has forwards, or while the Ports view is on
// screen and the host is connected (for detection): holding it whenever it is connected would
// keep every connection from closing when idle. Remembered forwards and the host's ssh config
// LocalForward/RemoteForward/DynamicForward lines are started when the host connects.
import { Emitter, Event } from '../common/event';
import { Logger } from '../common/log';
import { AutoForwarder, AutoForwardNotice } from './autoForward';
import { ForwardingHost, HostLinkState } from './connectionPort';
import { ForwardMemory, ForwardOrigin, ForwardRow, HostForwards } from './forwardManager';
import { formatForwardSpec, ForwardSpec, parseForwardSpec } from './forwardSpec';
import { PortAttributesMatcher } from './portAttributes';
import { PortDetector } from './portDetector';

export interface PortsSettingsView {
  readonly autoForward: boolean;
  readonly attributes: PortAttributesMatcher;
  /** Bind addresses other than loopback are allowed (the user's bindAddress setting is one). */
  readonly allowNonLoopback: boolean;
  readonly detectionIntervalMs: number;
}

export interface PortsDependencies {
  /** A pool reference to the host as a ForwardingHost (connects it). */
  acquire(name: string): Promise<ForwardingHost>;
  hostState(name: string): HostLinkState;
  /** A host the user has (the pool also reports its jump hops' connections, which are not hosts). */
  isHost(name: string): Promise<boolean>;
  readonly onDidChangeHostState: Event<{ readonly host: string; readonly state: HostLinkState }>;
  /** The host's ssh config forwards, already turned into specs (the caller logs those it skipped). */
  configForwards(name: string): Promise<readonly ForwardSpec[]>;
  /** Local ports the ssh config's LocalForward/DynamicForward lines of every host listen on. */
  configuredLocalPorts?(): Promise<Iterable<number>>;
  readonly memory: ForwardMemory;
  settings(): PortsSettingsView;
  notify(host: string, notice: AutoForwardNotice): void;
  readonly log: Logger;
}

/** One row of the Ports view: a forward, or a detected port nothing forwards yet. */
export type PortsEntry = { readonly kind: 'forward'; readonly host: string; readonly row: ForwardRow } | { readonly kind: 'detected'; readonly host: string; readonly port: number };

interface Session {
  readonly host: ForwardingHost;
  readonly forwards: HostForwards;
  readonly detector: PortDetector;
  readonly auto: AutoForwarder;
  readonly subs: { dispose(): void }[];
  /** Remembered and ssh config forwards were started for this connection. */
  restored: boolean;
}

export class PortsService {
  private readonly sessions = new Map<string, Promise<Session>>();
  private readonly ready = new Map<string, Session>();
  private readonly changed = new Emitter<string>();
  /** Fires with a host's name when its rows changed. */
  readonly onDidChange = this.changed.event;
  private watching = false;
  private readonly hostSub: { dispose(): void };
  private disposed = false;

  constructor(private readonly deps: PortsDependencies) {
    this.hostSub = deps.onDidChangeHostState(({ host, state }) => {
      if (state === 'connected') void this.onConnected(host);
    });
  }

  /** Every host's rows: forwards first, then detected ports. */
  entries(host?: string): PortsEntry[] {
    const out: PortsEntry[] = [];
    for (const [name, s] of this.ready) {
      if (host !== undefined && name !== host) continue;
      out.push(...s.forwards.rows.map((row): PortsEntry => ({ kind: 'forward', host: name, row })));
      out.push(...s.auto.detected.map((port): PortsEntry => ({ kind: 'detected', host: name, port })));
    }
    return out;
  }

  row(host: string, id: number): ForwardRow | undefined {
    return this.ready.get(host)?.forwards.row(id);
  }

  /**
   * Local ports every forward holds or wants (auto-forwarding keeps off them): every host's
   * rows, remembered forwards and ssh config forwards, connected or not.
   */
  async claimedLocalPorts(): Promise<number[]> {
    const ports: number[] = [];
    const add = (spec: ForwardSpec) => {
      if (spec.kind !== 'remote' && spec.listen.kind === 'tcp' && spec.listen.port) ports.push(spec.listen.port);
    };
    for (const s of this.ready.values()) {
      for (const r of s.forwards.rows) {
        if (r.localPort !== undefined) ports.push(r.localPort);
        add(r.spec);
      }
    }
    for (const host of this.deps.memory.hosts?.() ?? []) {
      for (const text of this.deps.memory.load(host)) {
        try {
          add(parseForwardSpec(text));
        } catch {
          /* not started either: claims nothing */
        }
      }
    }
    try {
      ports.push(...((await this.deps.configuredLocalPorts?.()) ?? []));
    } catch (err) {
      this.deps.log.warn(`ports: ssh config forwards not read: ${err instanceof Error ? err.message : String(err)}`);
    }
    return ports;
  }

  /** Starts a forward on `host` (connecting it); resolves its row, active or failed with the reason. */
  async forward(host: string, spec: ForwardSpec, origin: ForwardOrigin = 'user'): Promise<ForwardRow> {
    const session = await this.session(host);
    try {
      return await session.forwards.add(spec, origin);
    } finally {
      this.releaseIfUnused(host);
    }
  }

  async stop(host: string, id: number): Promise<void> {
    await this.ready.get(host)?.forwards.stop(id);
    this.releaseIfUnused(host);
  }

  async restart(host: string, id: number): Promise<ForwardRow | undefined> {
    return this.ready.get(host)?.forwards.restart(id);
  }

  /**
   * The Ports view is on screen (or not): while it is, connected hosts are held and their
   * ports detected; when it is not, hosts without forwards are let go.
   */
  setWatching(on: boolean, connectedHosts: () => readonly string[]): void {
    this.watching = on;
    if (on) for (const name of connectedHosts()) void this.watch(name);
    else for (const name of [...this.ready.keys()]) this.releaseIfUnused(name);
  }

  /** Resolves when the named host's detections seen so far are handled (tests). */
  async settled(host: string): Promise<void> {
    await this.ready.get(host)?.auto.settled();
  }

  /** Polls the host's ports now (tests, and the view's refresh). */
  async detectNow(host: string): Promise<void> {
    const s = this.ready.get(host);
    if (!s) return;
    await s.detector.poll();
    await s.auto.settled();
  }

  private async watch(name: string): Promise<void> {
    if (!(await this.deps.isHost(name).catch(() => false))) return;
    await this.session(name).catch(() => undefined);
    // The view may have been hidden while this host was connecting: let go of it then.
    this.releaseIfUnused(name);
  }

  private async onConnected(name: string): Promise<void> {
    if (this.disposed || this.ready.get(name)?.restored) return;
    try {
      if (!(await this.deps.isHost(name))) return;
      const remembered = this.deps.memory.load(name);
      const config = await this.deps.configForwards(name);
      // A session may be opening already (a forward asked for made this connection).
      if (!remembered.length && !config.length && !this.watching && !this.sessions.has(name)) return;
      const s = await this.session(name);
      if (s.restored) return;
      s.restored = true;
      await s.forwards.restore();
      for (const spec of config) {
        const text = formatForwardSpec(spec);
        if (s.forwards.rows.some((r) => formatForwardSpec(r.spec) === text)) continue;
        await s.forwards.add(spec, 'config');
      }
      this.releaseIfUnused(name);
    } catch (err) {
      this.deps.log.warn(`ports on ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private session(name: string): Promise<Session> {
    let pending = this.sessions.get(name);
    if (!pending) {
      pending = this.open(name);
      this.sessions.set(name, pending);
      pending.catch(() => this.sessions.delete(name));
    }
    return pending;
  }

  private async open(name: string): Promise<Session> {
    const host = await this.deps.acquire(name);
    const deps = this.deps;
    const forwards = new HostForwards(host, deps.log, deps.memory, {
      get allowNonLoopback() {
        return deps.settings().allowNonLoopback;
      },
    });
    const detector = new PortDetector(host, deps.log, { intervalMs: deps.settings().detectionIntervalMs });
    const auto = new AutoForwarder(
      detector,
      forwards,
      () => {
        const s = deps.settings();
        return { enabled: s.autoForward, attributes: s.attributes, claimedLocalPorts: () => this.claimedLocalPorts() };
      },
      (notice) => deps.notify(name, notice),
      deps.log,
    );
    const session: Session = {
      host,
      forwards,
      detector,
      auto,
      subs: [forwards.onDidChange(() => this.changed.fire(name)), detector.onDidChange(() => this.changed.fire(name))],
      restored: false,
    };
    this.ready.set(name, session);
    detector.start();
    this.changed.fire(name);
    return session;
  }

  /** Lets go of a host with no forwards when the view is not watching it (or it is not connected). */
  private releaseIfUnused(name: string): void {
    const s = this.ready.get(name);
    if (!s || s.forwards.rows.length > 0) return;
    if (this.watching && this.deps.hostState(name) === 'connected') return;
    void this.close(name, s);
  }

  private async close(name: string, s: Session): Promise<void> {
    this.ready.delete(name);
    this.sessions.delete(name);
    s.subs.forEach((sub) => sub.dispose());
    s.auto.dispose();
    s.detector.dispose();
    await s.forwards.dispose();
    s.host.release();
    this.changed.fire(name);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.hostSub.dispose();
    await Promise.all([...this.ready.entries()].map(([name, s]) => this.close(name, s)));
    this.changed.dispose();
  }
}
