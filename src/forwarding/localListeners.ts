// Local listening sockets for -L and -D. Loopback only unless the caller explicitly allows
// another address; `localhost` means 127.0.0.1 and ::1 on the same port (a browser may try
// either first), ::1 skipped only where the machine has no IPv6 loopback. All or nothing:
// a listener set that cannot be completed is closed again, never left half-made.
import * as fs from 'fs';
import * as net from 'net';
import * as nodePath from 'path';
import { ForwardError } from './forwardError';
import { DEFAULT_LOCAL_BIND, Endpoint } from './forwardSpec';

export interface ListenOptions {
  /** Allow bind addresses other than loopback (a setting the user turned on). */
  readonly allowNonLoopback?: boolean;
  /** How far past a taken port to look for a free one to suggest. */
  readonly searchLimit?: number;
}

export interface FreePortOptions extends ListenOptions {
  /** Ports not to suggest although free (other forwards want them). */
  readonly skip?: ReadonlySet<number>;
}

export interface BoundListeners {
  readonly servers: readonly net.Server[];
  /** Addresses actually bound, e.g. [{host:'127.0.0.1',port:8080},{host:'::1',port:8080}] or a path. */
  readonly addresses: readonly Endpoint[];
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopbackBind(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The addresses `host` stands for; `optional` ones are skipped when the machine lacks them. */
function bindAddresses(host: string): { host: string; optional: boolean }[] {
  if (host === 'localhost') return [{ host: '127.0.0.1', optional: false }, { host: '::1', optional: true }];
  if (host === '*' ) return [{ host: '0.0.0.0', optional: false }];
  return [{ host, optional: false }];
}

export async function bindListeners(listen: Endpoint, onConnection: (socket: net.Socket) => void, options: ListenOptions = {}): Promise<BoundListeners> {
  if (listen.kind === 'unix') return bindUnix(listen.path, onConnection);
  const host = listen.host || DEFAULT_LOCAL_BIND;
  if (!options.allowNonLoopback && !isLoopbackBind(host)) {
    throw new ForwardError(`listening on ${host} would expose the forward to other machines; only loopback addresses are allowed unless the setting to allow other bind addresses is on`, 'bind-not-allowed');
  }
  const wanted = bindAddresses(host);
  // Port 0 with several addresses: the first picks, the others must get the same; retry a few times if taken.
  for (let attempt = 0; ; attempt++) {
    const servers: net.Server[] = [];
    const addresses: Endpoint[] = [];
    let port = listen.port;
    try {
      for (const w of wanted) {
        let server: net.Server;
        try {
          server = await listenTcp(w.host, port, onConnection);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (w.optional && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) continue;
          throw err;
        }
        servers.push(server);
        port = (server.address() as net.AddressInfo).port;
        addresses.push({ kind: 'tcp', host: w.host, port });
      }
      return { servers, addresses, close: () => closeAll(servers) };
    } catch (err) {
      await closeAll(servers);
      const code = (err as NodeJS.ErrnoException).code;
      if (listen.port === 0 && code === 'EADDRINUSE' && attempt < 5) continue;
      throw await bindError(err, host, listen.port, options);
    }
  }
}

async function bindError(err: unknown, host: string, port: number, options: ListenOptions): Promise<ForwardError> {
  const code = (err as NodeJS.ErrnoException).code;
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    const suggestedPort = await nextFreePort(host, Math.max(port + 1, code === 'EACCES' ? 1024 : 1), options);
    const what = code === 'EADDRINUSE' ? `local port ${port} is already in use` : `local port ${port} needs administrator rights`;
    return new ForwardError(`${what} (${where})${suggestedPort ? `; ${suggestedPort} is free` : ''}`, code === 'EADDRINUSE' ? 'port-in-use' : 'port-privileged', { suggestedPort, cause: err });
  }
  return new ForwardError(`cannot listen on ${where}: ${(err as Error).message}`, 'bind-failed', { cause: err });
}

/** The first port from `from` that every address of `host` can bind, or undefined. */
export async function nextFreePort(host: string, from: number, options: FreePortOptions = {}): Promise<number | undefined> {
  const limit = options.searchLimit ?? 100;
  for (let port = from; port <= 65535 && port < from + limit; port++) {
    if (options.skip?.has(port)) continue;
    try {
      const bound = await bindListeners({ kind: 'tcp', host, port }, (s) => s.destroy(), { ...options, searchLimit: 0 });
      await bound.close();
      return port;
    } catch {
      /* taken: try the next */
    }
  }
  return undefined;
}

function listenTcp(host: string, port: number, onConnection: (socket: net.Socket) => void): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    // allowHalfOpen: a client that sends EOF still gets the rest of the answer (splice passes it on).
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, onConnection);
    server.once('error', reject);
    // ipv6Only: '::1' must not also take IPv4 (and never '::' dual-stack by accident).
    server.listen({ host, port, ipv6Only: host.includes(':'), exclusive: true }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

async function bindUnix(path: string, onConnection: (socket: net.Socket) => void): Promise<BoundListeners> {
  // Never unlink what is there: a stale socket is the user's to remove.
  if (fs.existsSync(path) || isLink(path)) throw new ForwardError(`${path} already exists`, 'port-in-use');
  // Only this user may connect: the socket reaches into the sandbox with the user's rights. It is
  // made inside a fresh 0700 directory (nobody else can reach it there), made 0600, and only then
  // linked into place; link(2) never replaces what appeared at `path` meanwhile. No umask change
  // (it is process-wide: other file operations running on libuv's threads would get it too).
  let dir: string;
  try {
    dir = fs.mkdtempSync(nodePath.join(nodePath.dirname(path), '.sbx-sock-'));
  } catch (err) {
    throw new ForwardError(`cannot listen on ${path}: ${(err as Error).message}`, 'bind-failed', { cause: err });
  }
  const staged = nodePath.join(dir, 's');
  let server: net.Server | undefined;
  try {
    server = await new Promise<net.Server>((resolve, reject) => {
      const s = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, onConnection);
      s.once('error', reject);
      s.listen(staged, () => {
        s.off('error', reject);
        resolve(s);
      });
    });
    fs.chmodSync(staged, 0o600);
    fs.linkSync(staged, path);
  } catch (err) {
    if (server) await closeAll([server]);
    const code = (err as NodeJS.ErrnoException).code;
    throw code === 'EEXIST' ? new ForwardError(`${path} already exists`, 'port-in-use', { cause: err }) : new ForwardError(`cannot listen on ${path}: ${(err as Error).message}`, 'bind-failed', { cause: err });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const placed = fs.lstatSync(path);
  const s = server;
  return {
    servers: [s],
    addresses: [{ kind: 'unix', path }],
    close: async () => {
      await closeAll([s]);
      // The server removes only the path it listened on (the staged one): remove ours, if it still is ours.
      try {
        const now = fs.lstatSync(path);
        if (now.ino === placed.ino && now.dev === placed.dev) fs.unlinkSync(path);
      } catch {
        /* already gone */
      }
    },
  };
}

function isLink(path: string): boolean {
  try {
    return fs.lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function closeAll(servers: readonly net.Server[]): Promise<void> {
  return Promise.all(servers.map((s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve())))).then(() => undefined);
}
