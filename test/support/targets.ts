// Connection-core fixtures: a ResolvedHost for a test sshd and a pool wired to it,
// without going through ssh config files (those have their own parity tests).
import { ResolvedHost } from '../../src/ssh/config/resolvedHost';
import { Credentials } from '../../src/ssh/credentials';
import { SshError } from '../../src/ssh/errors';
import { ConnectionPool, DEFAULT_POOL_SETTINGS, PoolDependencies, PoolSettings } from '../../src/ssh/pool';
import { Logger } from '../../src/common/log';
import { Sshd } from './sshd';

export function targetFor(server: { port: number; user: string; userKey?: { privatePath: string } }, overrides: Partial<ResolvedHost> = {}): ResolvedHost {
  return {
    alias: 'test',
    hostname: '127.0.0.1',
    port: server.port,
    user: server.user,
    identityFiles: server.userKey ? [server.userKey.privatePath] : [],
    identityFilesAreDefaults: false,
    identitiesOnly: true,
    identityAgent: 'none',
    proxyJump: [],
    strictHostKeyChecking: 'yes',
    userKnownHostsFiles: [],
    globalKnownHostsFiles: [],
    serverAliveInterval: 0,
    serverAliveCountMax: 3,
    connectionAttempts: 1,
    preferredAuthentications: [],
    setEnv: {},
    localForwards: [],
    remoteForwards: [],
    dynamicForwards: [],
    ...overrides,
  };
}

/** Host keys accepted by exact blob, as known_hosts would; the real verifier has its own tests. */
export function acceptKeys(...publicKeys: string[]) {
  const blobs = new Set(publicKeys.map((k) => k.split(/\s+/)[1]));
  return () => {
    let rejection: SshError | undefined;
    return {
      async verify(key: Buffer) {
        const ok = blobs.has(key.toString('base64'));
        rejection = ok ? undefined : new SshError('host key not in the test list', 'host-key');
        return ok;
      },
      rejection: () => rejection,
    };
  };
}

/** For hosts where only keys and the agent may be used. */
export const noInteractiveCredentials: Credentials = {
  password: async () => undefined,
  passphrase: async () => undefined,
  keyboardInteractive: async () => undefined,
  userToken: async () => undefined,
  rejected: () => {},
  accepted: () => {},
};

export interface MemoryLog extends Logger {
  lines: string[];
}

export function memoryLog(): MemoryLog {
  const lines: string[] = [];
  const add = (level: string) => (m: string | Error) => void lines.push(`${level} ${m instanceof Error ? m.message : m}`);
  return { lines, trace: add('trace'), debug: add('debug'), info: add('info'), warn: add('warn'), error: add('error') };
}

export interface TestPoolOptions {
  targets: Record<string, ResolvedHost>;
  hostKeys: string[];
  credentials?: Credentials;
  settings?: Partial<PoolSettings>;
  log?: Logger;
  agentSocket?: string;
  /** Algorithm lists per target (the extension builds them from the ssh config: buildAlgorithms). */
  algorithms?: PoolDependencies['algorithms'];
}

export function testPool(options: TestPoolOptions): ConnectionPool {
  const hostKeys = acceptKeys(...options.hostKeys);
  const resolve = async (name: string) => {
    const target = options.targets[name];
    if (!target) throw new SshError(`unknown test host ${name}`, 'config');
    return target;
  };
  return new ConnectionPool({
    resolve,
    // A hop's user and port win over the target's, as `ssh -l user -p port` would.
    resolveHop: async (hop) => {
      const target = await resolve(hop.host);
      return { ...target, user: hop.user ?? target.user, port: hop.port ?? target.port };
    },
    credentials: options.credentials ?? noInteractiveCredentials,
    hostKeys: () => hostKeys(),
    expandProxyCommand: (t) => t.proxyCommand!.replace(/%h/g, t.hostname).replace(/%p/g, String(t.port)).replace(/%r/g, t.user).replace(/%%/g, '%'),
    settings: () => ({ ...DEFAULT_POOL_SETTINGS, ...options.settings }),
    log: options.log ?? memoryLog(),
    agentSocket: options.agentSocket,
    algorithms: options.algorithms,
  });
}

/** How many SSH logins sshd accepted: one per TCP connection that authenticated. */
export function acceptedLogins(server: Sshd): number {
  return (server.log().match(/Accepted (publickey|password|keyboard-interactive)/g) ?? []).length;
}
