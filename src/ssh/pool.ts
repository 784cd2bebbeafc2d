// One connection per host, shared by files, terminals, forwards and language servers.
// `acquire` hands out references (like VS Code's ReferenceCollection); the last
// release starts an idle timer. ProxyJump hops are pooled connections too.
import { Algorithms } from 'ssh2';
import { DeadlineError, withDeadline } from '../common/deadline';
import { Emitter } from '../common/event';
import { Logger, prefixed } from '../common/log';
import { displayUser } from '../common/userToken';
import { createAuthenticator } from './auth';
import { ResolvedHost } from './config/resolvedHost';
import { ChannelScheduler } from './channelScheduler';
import { SshConnection } from './connection';
import { Credentials } from './credentials';
import { SshError } from './errors';
import { fingerprintSha256 } from './hostKeys/keyBlob';
import { ConnectionState, DEFAULT_RECONNECT, HostConnection, ReconnectPolicy, StateChange } from './hostConnection';
import { coalesceWrites, connectTcp, spawnProxyCommand, Transport } from './transport';

export interface PoolSettings {
  readonly idleTimeoutMs: number;
  /** Used when the host's config sets no ServerAliveInterval. */
  readonly keepaliveIntervalMs: number;
  readonly keepaliveCountMax: number;
  readonly maxSessions: number;
  /** Handshake + auth bound when the config sets no ConnectTimeout (gateways resuming a paused sandbox are slow). */
  readonly connectTimeoutMs: number;
  /** Deadline for each SFTP request; a stuck one fails and the SFTP channel is reopened. */
  readonly sftpRequestTimeoutMs?: number;
  readonly reconnect?: ReconnectPolicy;
}

export const DEFAULT_POOL_SETTINGS: PoolSettings = {
  idleTimeoutMs: 60_000,
  // 5 s × 3 unanswered: a dead link is declared within 20 s (interval × (count + 1)).
  keepaliveIntervalMs: 5_000,
  keepaliveCountMax: 3,
  maxSessions: 10,
  connectTimeoutMs: 30_000,
};

export interface HostKeyCheck {
  verify(key: Buffer): Promise<boolean>;
  /** Why the last verify refused. */
  rejection(): SshError | undefined;
}

export interface PoolDependencies {
  /** Resolves a host name (tree entry, ssh config alias or ProxyJump hop) to connection parameters. */
  resolve(name: string): Promise<ResolvedHost>;
  readonly credentials: Credentials;
  hostKeys(target: ResolvedHost): HostKeyCheck;
  /** Algorithm lists for the handshake (may read known_hosts to prefer key types already known). */
  algorithms?(target: ResolvedHost): Promise<Algorithms | undefined>;
  expandProxyCommand(target: ResolvedHost): string;
  settings(): PoolSettings;
  readonly log: Logger;
  /** SSH_AUTH_SOCK of the editor's environment. */
  readonly agentSocket?: string;
}

export interface HostState {
  readonly state: ConnectionState;
  /** `error.message`, for the log. */
  readonly reason?: string;
  /** The failure (or the Disconnect) behind the state; the editor words it. */
  readonly error?: SshError;
  /** Disconnected by the user, until they connect again. */
  readonly held: boolean;
}

export interface ConnectionRef {
  readonly host: HostConnection;
  /** The live connection (reconnects if it dropped since). */
  connection(signal?: AbortSignal): Promise<SshConnection>;
  release(): void;
}

export class ConnectionPool {
  private readonly hosts = new Map<string, HostConnection>();
  private readonly stateChanged = new Emitter<StateChange>();
  readonly onDidChangeState = this.stateChanged.event;
  private disposed = false;

  constructor(private readonly deps: PoolDependencies) {}

  /** A reference to `name`'s connection, connected before it is returned. Release it when done. */
  async acquire(name: string, signal?: AbortSignal): Promise<ConnectionRef> {
    const host = this.entry(name);
    host.addRef();
    let released = false;
    const ref: ConnectionRef = {
      host,
      connection: (s) => host.connection(s),
      release: () => {
        if (!released) {
          released = true;
          host.release();
        }
      },
    };
    try {
      await host.connection(signal);
      return ref;
    } catch (err) {
      ref.release();
      throw err;
    }
  }

  state(name: string): HostState {
    const host = this.hosts.get(name);
    return host ? { state: host.state, reason: host.reason, error: host.error, held: host.isHeld } : { state: 'disconnected', held: false };
  }

  /** Forget refusals (auth, host key, config) so the next use tries again; all hosts without a name. */
  retry(name?: string): void {
    if (name) this.hosts.get(name)?.retry();
    else this.hosts.forEach((h) => h.retry());
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
    await Promise.all([...this.hosts.values()].map((h) => h.dispose()));
    this.hosts.clear();
    this.stateChanged.dispose();
  }

  private entry(name: string): HostConnection {
    if (this.disposed) throw new SshError('connection pool is closed', 'unavailable');
    let host = this.hosts.get(name);
    if (!host) {
      const settings = this.deps.settings();
      host = new HostConnection(name, (scheduler, signal) => this.connect(name, scheduler, signal), {
        maxSessions: settings.maxSessions,
        idleTimeoutMs: () => this.deps.settings().idleTimeoutMs,
        reconnect: settings.reconnect ?? DEFAULT_RECONNECT,
        log: this.deps.log,
      });
      host.onDidChangeState((change) => this.stateChanged.fire(change));
      this.hosts.set(name, host);
    }
    return host;
  }

  private async connect(name: string, scheduler: ChannelScheduler, signal: AbortSignal): Promise<SshConnection> {
    const log = prefixed(this.deps.log, name);
    const target = await this.resolveTarget(name).catch((err: unknown) => {
      log.warn(`could not connect: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    });
    const settings = this.deps.settings();
    const attempts = Math.max(1, target.connectionAttempts);
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) {
        // Gateways that close right after the handshake (sandbox not ready yet) get a bounded retry.
        const delay = Math.min(8000, 500 * 2 ** (attempt - 2));
        log.info(`connect attempt ${attempt} of ${attempts} in ${delay} ms`);
        await sleep(delay, signal);
      }
      try {
        return await this.connectOnce(name, target, scheduler, settings, log, signal);
      } catch (err) {
        lastError = err;
        if (!signal.aborted && !SshError.is(err, 'cancelled')) log.warn(`could not connect: ${err instanceof Error ? err.message : String(err)}`);
        if (!SshError.is(err, 'unavailable') || signal.aborted) throw err;
      }
    }
    throw lastError;
  }

  private async connectOnce(
    name: string,
    target: ResolvedHost,
    scheduler: ChannelScheduler,
    settings: PoolSettings,
    log: Logger,
    signal: AbortSignal,
  ): Promise<SshConnection> {
    const timeoutMs = target.connectTimeout ? target.connectTimeout * 1000 : settings.connectTimeoutMs;
    // Everything that can fail is settled before the transport starts (a ProxyCommand process,
    // a socket, a jump-host reference): from then on SshConnection.open owns it and ends it on
    // every failure.
    const hostKey = this.deps.hostKeys(target);
    const agentSocket = target.identityAgent ?? this.deps.agentSocket;
    const prompts = countPrompts(this.deps.credentials);
    let verifiedKey: string | undefined;
    const authenticator = createAuthenticator({
      host: target.hostKeyAlias ?? target.hostname,
      port: target.port,
      user: target.user,
      userToken: target.userToken,
      hostKeyFingerprint: () => verifiedKey,
      identityFiles: target.identityFiles,
      identityFilesAreDefaults: target.identityFilesAreDefaults,
      identitiesOnly: target.identitiesOnly,
      agentSocket,
      preferredAuthentications: target.preferredAuthentications,
      credentials: prompts.credentials,
      log,
    });
    const keepaliveIntervalMs = target.serverAliveInterval > 0 ? target.serverAliveInterval * 1000 : settings.keepaliveIntervalMs;
    const keepaliveCountMax = target.serverAliveInterval > 0 ? target.serverAliveCountMax : settings.keepaliveCountMax;
    log.info(`connecting to ${displayUser(target.user)}@${target.hostname}:${target.port}${target.proxyJump.length ? ` via ${target.proxyJump.join(',')}` : ''}${target.proxyCommand ? ' via ProxyCommand' : ''}`);
    const algorithms = await this.deps.algorithms?.(target);
    const transport = await this.openTransport(name, target, timeoutMs, log, signal);
    const started = Date.now();
    const connection = await SshConnection.open({
      label: name,
      user: target.user,
      transport,
      authenticator,
      verifyHostKey: async (key) => {
        const ok = await hostKey.verify(key);
        if (ok) verifiedKey = fingerprintSha256(key);
        return ok;
      },
      hostKeyRejection: () => hostKey.rejection(),
      algorithms,
      keepaliveIntervalMs,
      keepaliveCountMax,
      readyTimeoutMs: timeoutMs,
      isWaitingForUser: () => prompts.open > 0,
      scheduler,
      sftpRequestTimeoutMs: settings.sftpRequestTimeoutMs,
      log,
      signal,
    });
    log.info(`connected in ${Date.now() - started} ms`);
    return connection;
  }

  private async openTransport(name: string, target: ResolvedHost, timeoutMs: number, log: Logger, signal: AbortSignal): Promise<Transport> {
    if (target.proxyCommand) return spawnProxyCommand(this.deps.expandProxyCommand(target), log);
    if (target.proxyJump.length > 0) {
      // ProxyJump a,b: reach b through a, then the target through b (one pooled connection per hop).
      const hop = jumpHopName(target.proxyJump);
      if (hop === name) throw new SshError(`${name}: ProxyJump loops back to itself`, 'config');
      const jump = await this.acquire(hop, signal);
      try {
        const connection = await jump.connection(signal);
        // The jump host's own connect to the target can take minutes to fail: bound it like a TCP connect.
        const forwarding = connection.forwardOut('127.0.0.1', 0, target.hostname, target.port);
        const channel = await withDeadline(forwarding, {
          ms: timeoutMs,
          signal,
          what: `connect to ${target.hostname}:${target.port} through ${hop}`,
          discardLate: (late) => late.destroy(),
        }).catch((err) => {
          throw err instanceof DeadlineError ? new SshError(err.message, err.kind === 'timeout' ? 'unavailable' : 'cancelled') : err;
        });
        return {
          stream: coalesceWrites(channel),
          dispose: () => {
            channel.destroy();
            jump.release();
          },
        };
      } catch (err) {
        jump.release();
        throw err;
      }
    }
    return connectTcp(target.hostname, target.port, timeoutMs, signal);
  }

  /** Hop names look like `jump:<hops so far>|<hop>` so the chain that reaches them is part of their identity. */
  private async resolveTarget(name: string): Promise<ResolvedHost> {
    const hop = parseJumpHopName(name);
    if (!hop) return this.deps.resolve(name);
    const spec = parseJumpSpec(hop.spec);
    const base = await this.deps.resolve(spec.host);
    // A hop's own ProxyJump/ProxyCommand is replaced by the chain before it, as `ssh -J a,b` does.
    return { ...base, user: spec.user ?? base.user, port: spec.port ?? base.port, proxyJump: hop.before, proxyCommand: undefined };
  }
}

export function jumpHopName(chain: string[]): string {
  return `jump:${chain.slice(0, -1).join(',')}|${chain[chain.length - 1]}`;
}

function parseJumpHopName(name: string): { before: string[]; spec: string } | undefined {
  const m = /^jump:([^|]*)\|(.+)$/.exec(name);
  return m ? { before: m[1] ? m[1].split(',') : [], spec: m[2] } : undefined;
}

/** `[user@]host[:port]`, with `[v6]:port` accepted too. */
export function parseJumpSpec(spec: string): { user?: string; host: string; port?: number } {
  let rest = spec.replace(/^ssh:\/\//, '');
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (v6) return { user, host: v6[1], port: v6[2] ? Number(v6[2]) : undefined };
  const m = /^([^:]+)(?::(\d+))?$/.exec(rest);
  if (!m) throw new SshError(`invalid ProxyJump host "${spec}"`, 'config');
  return { user, host: m[1], port: m[2] ? Number(m[2]) : undefined };
}

/** Wraps credentials to know when a prompt is open, so connect deadlines do not run while a person types. */
function countPrompts(inner: Credentials): { credentials: Credentials; readonly open: number } {
  let open = 0;
  const track = <A, R>(ask: (a: A) => Promise<R>) => async (a: A): Promise<R> => {
    open++;
    try {
      return await ask(a);
    } finally {
      open--;
    }
  };
  return {
    credentials: {
      password: track((r) => inner.password(r)),
      passphrase: track((r) => inner.passphrase(r)),
      keyboardInteractive: track((r) => inner.keyboardInteractive(r)),
      userToken: track(async (r) => inner.userToken?.(r)),
      rejected: (s) => inner.rejected(s),
      accepted: (s) => inner.accepted(s),
    },
    get open() {
      return open;
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new SshError('cancelled', 'cancelled'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new SshError('cancelled', 'cancelled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
