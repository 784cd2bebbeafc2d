// Remote forwards (`tcpip-forward`, ssh2's forwardIn + 'tcp connection') and channels to a
// remote Unix socket (`direct-streamlocal@openssh.com`), which SshConnection does not offer yet.
// STOPGAP until the channel layer (issue 13) owns these: SshConnection keeps its ssh2 Client
// private and connection.ts belongs to another change, so this file reaches the client through
// that private field. Nothing else may do this; delete the file when the channel layer lands.
import { Client, ClientChannel, TcpConnectionDetails } from 'ssh2';
import { SshConnection } from './connection';
import { fromSsh2Error, SshError } from './errors';

export interface IncomingForward {
  readonly srcIP: string;
  readonly srcPort: number;
  accept(): ClientChannel;
  reject(): void;
}

export interface RemoteBinding {
  readonly port: number;
  close(): Promise<void>;
}

type Handler = (offer: IncomingForward) => void;

/** Per ssh2 client: which handler each bound `addr:port` goes to (ssh2 emits one event for all). */
const handlers = new WeakMap<Client, Map<string, Handler>>();

function clientOf(connection: SshConnection): Client {
  const client = (connection as unknown as { client?: Client }).client;
  if (!client) throw new SshError(`${connection.label}: the connection does not expose its client`, 'unavailable');
  return client;
}

function dispatcher(client: Client): Map<string, Handler> {
  let map = handlers.get(client);
  if (!map) {
    const byKey = new Map<string, Handler>();
    map = byKey;
    handlers.set(client, byKey);
    client.on('tcp connection', (info: TcpConnectionDetails, accept: () => ClientChannel, reject: () => void) => {
      const handler = byKey.get(`${info.destIP}:${info.destPort}`);
      // ssh2 reserves a channel before emitting: an unclaimed one must be refused, not left open.
      if (!handler) return reject();
      handler({ srcIP: info.srcIP, srcPort: info.srcPort, accept, reject });
    });
  }
  return map;
}

/** Runs an ssh2 request whose callback may never come if the connection dies first. */
function request<T>(connection: SshConnection, what: string, start: (cb: (err: Error | undefined, value: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (!connection.isOpen) return reject(new SshError(`${what}: not connected`, 'unavailable'));
    let done = false;
    const sub = connection.onDidClose((reason) => {
      if (done) return;
      done = true;
      reject(reason ?? new SshError(`${what}: connection closed`, 'unavailable'));
    });
    try {
      start((err, value) => {
        if (done) return;
        done = true;
        sub.dispose();
        if (err) reject(fromSsh2Error(err, `${what} on ${connection.label}`));
        else resolve(value);
      });
    } catch (err) {
      done = true;
      sub.dispose();
      reject(fromSsh2Error(err, `${what} on ${connection.label}`));
    }
  });
}

/**
 * Asks the server to listen on `host:port` and hands each connection to `onConnection`.
 * A refusal (AllowTcpForwarding local/no, port in use, privileged port) rejects with reason
 * 'channel-refused': the SSH global request carries no reason, only failure.
 */
export async function listenRemote(connection: SshConnection, host: string, port: number, onConnection: Handler): Promise<RemoteBinding> {
  const client = clientOf(connection);
  const map = dispatcher(client);
  const what = `remote forward ${host}:${port}`;
  let bound: number;
  try {
    bound = await request<number>(connection, what, (cb) => client.forwardIn(host, port, cb));
  } catch (err) {
    if (SshError.is(err) && err.reason === 'unavailable' && !connection.isOpen) throw err;
    throw new SshError(`${what} on ${connection.label}: the server refused to listen`, 'channel-refused', { cause: err, target: `${host}:${port}` });
  }
  // ssh2 reports connections on a server-picked port under the port it picked.
  const key = `${host}:${bound}`;
  map.set(key, onConnection);
  let closed = false;
  return {
    port: bound,
    close: async () => {
      if (closed) return;
      closed = true;
      map.delete(key);
      if (!connection.isOpen) return;
      await request<void>(connection, `cancel ${what}`, (cb) => client.unforwardIn(host, port === 0 ? bound : port, (err) => cb(err ?? undefined, undefined))).catch(() => undefined);
    },
  };
}

/** A channel to the Unix socket `path` on the server (OpenSSH streamlocal; needs AllowStreamLocalForwarding). */
export function openStreamLocal(connection: SshConnection, path: string): Promise<ClientChannel> {
  const client = clientOf(connection);
  return request<ClientChannel>(connection, `forward to ${path}`, (cb) => client.openssh_forwardOutStreamLocal(path, cb));
}
