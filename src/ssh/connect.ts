// The connect sequence (OpenSSH keeps it apart too, in sshconnect.c): resolve the target,
// try it ConnectionAttempts times, open the transport (TCP, ProxyCommand or a channel through
// the jump host before it), then handshake and authenticate. The pool decides when to connect
// and shares the result; this unit only knows how.
import { Algorithms } from 'ssh2';
import { backoffDelay, sleep, withDeadline } from '../common/time';
import { Logger, prefixed } from '../common/log';
import { displayUser } from '../common/userToken';
import { createAuthenticator } from './auth';
import { JumpHop, formatHop } from './config/jump';
import { ResolvedHost } from './config/resolvedHost';
import { ChannelScheduler } from './channelScheduler';
import { SshConnection } from './connection';
import { Credentials } from './credentials';
import { sshDeadline, SshError, timeoutError } from './errors';
import { fingerprintSha256 } from './hostKeys/keyBlob';
import { ReconnectPolicy } from './hostConnection';
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

export interface HostKeyCheck {
  verify(key: Buffer): Promise<boolean>;
  /** Why the last verify refused. */
  rejection(): SshError | undefined;
}

/** What connecting needs besides the target: credentials, host keys, algorithms, settings. */
export interface ConnectDependencies {
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

/** A held connection to the last jump hop; released when the transport through it ends. */
export interface JumpReference {
  connection(signal?: AbortSignal): Promise<SshConnection>;
  release(): void;
}

export interface ConnectRequest {
  /** For the log and the connection's own messages. */
  readonly label: string;
  /** `signal`: the connect was given up (a gateway lookup stops waiting). */
  resolve(signal: AbortSignal): Promise<ResolvedHost>;
  /** A reference to the connection that reaches `target.proxyJump`'s last hop (through the hops before it). */
  jump(target: ResolvedHost, signal: AbortSignal): Promise<JumpReference>;
  readonly scheduler: ChannelScheduler;
  readonly signal: AbortSignal;
}

/** Resolves and connects `request`, retrying as its ConnectionAttempts says. */
export async function connect(deps: ConnectDependencies, request: ConnectRequest): Promise<SshConnection> {
  const { label, signal } = request;
  const log = prefixed(deps.log, label);
  const target = await request.resolve(signal).catch((err: unknown) => {
    log.warn(`could not connect: ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  });
  const settings = deps.settings();
  const attempts = Math.max(1, target.connectionAttempts);
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) {
      // Gateways that close right after the handshake (sandbox not ready yet) get a bounded retry.
      const delay = backoffDelay({ initialDelayMs: 500, maxDelayMs: 8000 }, attempt - 2);
      log.info(`connect attempt ${attempt} of ${attempts} in ${delay} ms`);
      await sleep(delay, signal, sshDeadline());
    }
    try {
      return await connectOnce(deps, request, target, settings, log);
    } catch (err) {
      lastError = err;
      if (!signal.aborted && !SshError.is(err, 'cancelled')) log.warn(`could not connect: ${err instanceof Error ? err.message : String(err)}`);
      const mayHeal = SshError.is(err, 'unavailable') || SshError.is(err, 'timeout');
      if (!mayHeal || signal.aborted) throw err;
    }
  }
  throw lastError;
}

async function connectOnce(deps: ConnectDependencies, request: ConnectRequest, target: ResolvedHost, settings: PoolSettings, log: Logger): Promise<SshConnection> {
  const { signal } = request;
  const timeoutMs = target.connectTimeout ? target.connectTimeout * 1000 : settings.connectTimeoutMs;
  // Everything that can fail is settled before the transport starts (a ProxyCommand process,
  // a socket, a jump-host reference): from then on SshConnection.open owns it and ends it on
  // every failure.
  const hostKey = deps.hostKeys(target);
  const agentSocket = target.identityAgent ?? deps.agentSocket;
  const prompts = countPrompts(deps.credentials);
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
  log.info(`connecting to ${displayUser(target.user)}@${target.hostname}:${target.port}${target.proxyJump.length ? ` via ${describeHops(target.proxyJump)}` : ''}${target.proxyCommand ? ' via ProxyCommand' : ''}`);
  const algorithms = await deps.algorithms?.(target);
  const transport = await openTransport(deps, request, target, timeoutMs, log);
  const started = Date.now();
  const connection = await SshConnection.open({
    label: request.label,
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
    scheduler: request.scheduler,
    sftpRequestTimeoutMs: settings.sftpRequestTimeoutMs,
    target,
    log,
    signal,
  });
  log.info(`connected in ${Date.now() - started} ms`);
  return connection;
}

async function openTransport(deps: ConnectDependencies, request: ConnectRequest, target: ResolvedHost, timeoutMs: number, log: Logger): Promise<Transport> {
  const { signal } = request;
  if (target.proxyCommand) return spawnProxyCommand(deps.expandProxyCommand(target), log);
  if (target.proxyJump.length > 0) {
    // ProxyJump a,b: reach b through a, then the target through b (one pooled connection per hop).
    const hop = target.proxyJump[target.proxyJump.length - 1];
    const jump = await request.jump(target, signal);
    try {
      const connection = await jump.connection(signal);
      // The jump host's own connect to the target can take minutes to fail: bound it like a TCP connect.
      const forwarding = connection.forwardOut('127.0.0.1', 0, target.hostname, target.port);
      const through = `${target.hostname}:${target.port} through ${describeHops([hop])}`;
      const channel = await withDeadline(forwarding, {
        ms: timeoutMs,
        signal,
        what: `connect to ${through}`,
        ...sshDeadline(),
        timeout: () => timeoutError(`could not reach ${through}: no answer within ${timeoutMs / 1000} s`, { target: `${target.hostname}:${target.port}` }),
        discardLate: (late) => late.dispose(),
      });
      return {
        stream: coalesceWrites(channel.stream),
        dispose: () => {
          channel.dispose();
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

/** Hops for the log, user names masked (a gateway's user may carry a token). */
export function describeHops(hops: readonly JumpHop[]): string {
  return hops.map((h) => formatHop(h.user === undefined ? h : { ...h, user: displayUser(h.user) })).join(',');
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
