// One connection per host, shared by files, terminals, forwards and language servers.
// `acquire` hands out references (like VS Code's ReferenceCollection); the last
// release starts an idle timer. ProxyJump hops are pooled connections too.
import { Emitter, Event } from '../common/event';
import { JumpHop, sameHop } from './config/jump';
import { ResolvedHost } from './config/resolvedHost';
import { connect, ConnectDependencies, describeHops, PoolSettings } from './connect';
import { SshConnection } from './connection';
import { SshError } from './errors';
import { ConnectionState, DEFAULT_RECONNECT, HostConnection, StateChange } from './hostConnection';

export { HostKeyCheck, PoolSettings } from './connect';

export const DEFAULT_POOL_SETTINGS: PoolSettings = {
  idleTimeoutMs: 60_000,
  // 5 s × 3 unanswered: a dead link is declared within 20 s (interval × (count + 1)).
  keepaliveIntervalMs: 5_000,
  keepaliveCountMax: 3,
  maxSessions: 10,
  connectTimeoutMs: 30_000,
};

export interface PoolDependencies extends ConnectDependencies {
  /** Resolves a host name (tree entry or ssh config alias) to connection parameters. */
  resolve(name: string, signal?: AbortSignal): Promise<ResolvedHost>;
  /**
   * Resolves a ProxyJump hop the way `ssh -l user -p port host` would: its user and port are
   * fixed before the config is read (a `User` line does not replace them, `Match user` sees them).
   */
  resolveHop(hop: JumpHop): Promise<ResolvedHost>;
}

export interface HostState {
  readonly state: ConnectionState;
  /** `error.message`, for the log. */
  readonly reason?: string;
  /** The failure (or the Disconnect) behind the state; the editor words it. */
  readonly error?: SshError;
  /** Disconnected by the user, until they connect again. */
  readonly held: boolean;
  /** While connected: the SHA256 fingerprint of the public key that logged in. */
  readonly authenticatedKey?: string;
  /** Requests wait for a free session channel (the server's MaxSessions is reached). */
  readonly waiting?: boolean;
}

export interface ConnectionRef {
  readonly host: HostConnection;
  /** The live connection (reconnects if it dropped since). */
  connection(signal?: AbortSignal): Promise<SshConnection>;
  /**
   * Fires with the new connection when a reconnect (after a drop, or a Disconnect and Connect)
   * replaced the one this reference had: forwards and terminals re-establish themselves here.
   */
  readonly onDidReplaceConnection: Event<SshConnection>;
  release(): void;
}

export class ConnectionPool {
  private readonly hosts = new Map<string, HostConnection>();
  /** Jump hops, told apart by the whole chain that reaches them (typed, never a printed key). */
  private readonly hops: Array<{ readonly chain: readonly JumpHop[]; readonly host: HostConnection }> = [];
  private readonly stateChanged = new Emitter<StateChange>();
  readonly onDidChangeState = this.stateChanged.event;
  private disposed = false;

  constructor(private readonly deps: PoolDependencies) {}

  /** A reference to `name`'s connection, connected before it is returned. Release it when done. */
  async acquire(name: string, signal?: AbortSignal): Promise<ConnectionRef> {
    return this.reference(this.entry(name), signal);
  }

  state(name: string): HostState {
    return stateOf(this.hosts.get(name));
  }

  /** What `name`'s open connection was resolved from (its forwards, SetEnv…); undefined while it is not connected. */
  connectedTarget(name: string): ResolvedHost | undefined {
    return this.hosts.get(name)?.connectedTarget;
  }

  /** The state of the pooled connection to `chain`'s last hop, reached through the hops before it. */
  jumpState(chain: readonly JumpHop[]): HostState {
    return stateOf(this.hops.find((h) => sameChain(h.chain, chain))?.host);
  }

  /** Settings changed: those that apply live take effect now (the idle timeout); the rest apply on each host's next connect. */
  settingsChanged(): void {
    this.all().forEach((h) => h.idleTimeoutChanged());
  }

  /** Forget refusals (auth, host key, config) so the next use tries again; all hosts without a name. */
  retry(name?: string): void {
    if (name) this.hosts.get(name)?.retry();
    else this.all().forEach((h) => h.retry());
  }

  /** The user wants `name` again (Connect, Reconnect, opening one of its files): ends a Disconnect's hold and forgets refusals. */
  resume(name: string): void {
    this.hosts.get(name)?.resume();
  }

  /** The user's Disconnect: the host stays disconnected, and its uses fail at once, until `resume(name)`. */
  async disconnect(name: string): Promise<void> {
    if (this.disposed) return;
    await this.entry(name).hold();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.all(this.all().map((h) => h.dispose()));
    this.hosts.clear();
    this.hops.length = 0;
    this.stateChanged.dispose();
  }

  private all(): HostConnection[] {
    return [...this.hosts.values(), ...this.hops.map((h) => h.host)];
  }

  private async reference(host: HostConnection, signal?: AbortSignal): Promise<ConnectionRef> {
    host.addRef();
    let released = false;
    const replaced = new Emitter<SshConnection>();
    let current: SshConnection | undefined;
    const connects = host.onDidConnect((connection) => {
      if (current && connection !== current) replaced.fire(connection);
      current = connection;
    });
    const ref: ConnectionRef = {
      host,
      connection: (s) => host.connection(s),
      onDidReplaceConnection: replaced.event,
      release: () => {
        if (!released) {
          released = true;
          connects.dispose();
          replaced.dispose();
          host.release();
        }
      },
    };
    try {
      current ??= await host.connection(signal);
      return ref;
    } catch (err) {
      ref.release();
      throw err;
    }
  }

  private entry(name: string): HostConnection {
    let host = this.hosts.get(name);
    if (!host) {
      host = this.create(name, (signal) => this.deps.resolve(name, signal));
      this.hosts.set(name, host);
    }
    return host;
  }

  /**
   * The pooled connection to the last hop of `chain`. The chain before it is part of its
   * identity: a hop's own ProxyJump/ProxyCommand is replaced by that chain, as `ssh -J a,b` does.
   */
  private hopEntry(chain: readonly JumpHop[]): HostConnection {
    let entry = this.hops.find((h) => sameChain(h.chain, chain));
    if (!entry) {
      const hop = chain[chain.length - 1];
      const before = chain.slice(0, -1);
      const host = this.create(`jump ${describeHops(chain)}`, async () => ({ ...(await this.deps.resolveHop(hop)), proxyJump: before, proxyCommand: undefined }));
      entry = { chain: [...chain], host };
      this.hops.push(entry);
    }
    return entry.host;
  }

  private create(label: string, resolve: (signal: AbortSignal) => Promise<ResolvedHost>): HostConnection {
    if (this.disposed) throw new SshError('connection pool is closed', 'unavailable');
    const settings = this.deps.settings();
    const host = new HostConnection(
      label,
      (scheduler, signal) =>
        connect(this.deps, { label, resolve, jump: (target, s) => this.reference(this.hopEntry(target.proxyJump), s), scheduler, signal }),
      {
        // Read when each connection starts (on the next connect) and at each idle check (live).
        maxSessions: () => this.deps.settings().maxSessions,
        idleTimeoutMs: () => this.deps.settings().idleTimeoutMs,
        reconnect: settings.reconnect ?? DEFAULT_RECONNECT,
        log: this.deps.log,
      },
    );
    host.onDidChangeState((change) => this.stateChanged.fire(change));
    return host;
  }
}

function stateOf(host: HostConnection | undefined): HostState {
  return host ? { state: host.state, reason: host.reason, error: host.error, held: host.isHeld, authenticatedKey: host.authenticatedKey, waiting: host.isWaitingForSession } : { state: 'disconnected', held: false };
}

function sameChain(a: readonly JumpHop[], b: readonly JumpHop[]): boolean {
  return a.length === b.length && a.every((hop, i) => sameHop(hop, b[i]));
}
