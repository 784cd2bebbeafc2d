// The ONE adapter from the channel layer to the forwarding core's connectionPort.ts:
// SshConnection's stream channels (forwardOut: direct-tcpip, forwardOutStreamLocal: a remote
// Unix socket, forwardIn: tcpip-forward), the connection's SFTP session for reading /proc
// files, and a ConnectionPool reference for the host's connection over time. Nothing else in
// src/forwarding names src/ssh.
import { Duplex } from 'stream';
import { Emitter } from '../common/event';
import { SshConnection } from '../ssh/connection';
import { ConnectionPool, ConnectionRef } from '../ssh/pool';
import { SshError } from '../ssh/errors';
import { ChannelOpenError, ForwardingChannels, ForwardingHost, HostLinkState, RemoteConnectionOffer } from './connectionPort';

/** Wraps one live SshConnection (the same object for as long as it lives). */
const wrapped = new WeakMap<SshConnection, ForwardingChannels>();

export function channelsOf(connection: SshConnection): ForwardingChannels {
  let channels = wrapped.get(connection);
  if (channels) return channels;
  const closed = new Emitter<void>();
  connection.onDidClose(() => {
    closed.fire();
    closed.dispose();
  });
  channels = {
    get label() {
      return connection.label;
    },
    get isOpen() {
      return connection.isOpen;
    },
    openTcp: (host, port, origin) => openFailure(connection.forwardOut(origin.host, origin.port, host, port).then((channel) => channel.stream)),
    openUnix: (path) => openFailure(connection.forwardOutStreamLocal(path).then((channel) => channel.stream)),
    listenRemote: async (host, port, onConnection) => {
      let listener;
      try {
        listener = await connection.forwardIn(host, port);
      } catch (err) {
        // A refused tcpip-forward carries no reason in SSH: on a live connection the server said no.
        const failure = !connection.isOpen ? 'unavailable' : SshError.is(err, 'config') ? 'other' : 'prohibited';
        throw new ChannelOpenError(`remote forward ${host}:${port} on ${connection.label}: ${failure === 'prohibited' ? 'the server refused to listen' : err instanceof Error ? err.message : String(err)}`, failure, err);
      }
      const sub = listener.onConnection((incoming) => {
        const offer: RemoteConnectionOffer = { origin: { host: incoming.srcIP, port: incoming.srcPort }, accept: () => incoming.accept().stream, reject: () => incoming.reject() };
        onConnection(offer);
      });
      const bound = listener;
      return {
        port: bound.port,
        close: async () => {
          sub.dispose();
          bound.dispose();
        },
      };
    },
    readFileCapped: async (path, maxBytes, signal) => {
      const sftp = await connection.sftp();
      const h = await sftp.open(path, 'r');
      try {
        // One byte past the cap tells a file that is exactly maxBytes from a longer one.
        const buf = Buffer.alloc(maxBytes + 1);
        let got = 0;
        while (got < buf.length) {
          if (signal?.aborted) throw signal.reason ?? new Error('aborted');
          const n = await sftp.read(h, buf, got, Math.min(32 * 1024, buf.length - got), got);
          if (n <= 0) break;
          got += n;
        }
        return { data: buf.subarray(0, Math.min(got, maxBytes)), truncated: got > maxBytes };
      } finally {
        void sftp.closeQuietly(h);
      }
    },
    onDidClose: closed.event,
  };
  wrapped.set(connection, channels);
  primeNoDelay(connection);
  return channels;
}

/**
 * sshd sets TCP_NODELAY on a connection's socket only when the connection's first session
 * channel opens (OpenSSH ssh_packet_set_interactive); a connection that carries only
 * direct-tcpip channels stays on Nagle, and every short forwarded request/response then waits
 * ~40 ms for our delayed ACK before sshd sends the channel's EOF and close (seen: 45 ms per
 * connection through `ssh -N -L` and through ours, 1.7 ms once any session had opened). The
 * connection's SFTP session is the session that costs nothing extra: the Explorer and port
 * detection use the same one. Not awaited, failure ignored: forwards work either way.
 */
function primeNoDelay(connection: SshConnection): void {
  connection.sftp().catch(() => undefined);
}

/** SSH_MSG_CHANNEL_OPEN_FAILURE reason codes (RFC 4254 5.1) as the core's OpenFailure. */
async function openFailure(opening: Promise<Duplex>): Promise<Duplex> {
  try {
    return await opening;
  } catch (err) {
    const code = SshError.is(err, 'channel-refused') ? (err.cause as { reason?: unknown } | undefined)?.reason : undefined;
    const failure = code === 1 ? 'prohibited' : code === 2 ? 'connect-failed' : SshError.is(err, 'unavailable') ? 'unavailable' : 'other';
    throw new ChannelOpenError(err instanceof Error ? err.message : String(err), failure, err);
  }
}

/** A ForwardingHost over a pool reference; `release` gives the reference back. */
export function hostFromRef(name: string, ref: ConnectionRef): ForwardingHost {
  const changed = new Emitter<HostLinkState>();
  const sub = ref.host.onDidChangeState((change) => changed.fire(change.state));
  let released = false;
  return {
    name,
    channels: async (signal) => channelsOf(await ref.connection(signal)),
    get state() {
      return ref.host.state;
    },
    onDidChangeState: changed.event,
    release: () => {
      if (released) return;
      released = true;
      sub.dispose();
      changed.dispose();
      ref.release();
    },
  };
}

/** Acquires `name` from the pool (connecting it) as a ForwardingHost. */
export async function acquireForwardingHost(pool: ConnectionPool, name: string, signal?: AbortSignal): Promise<ForwardingHost> {
  return hostFromRef(name, await pool.acquire(name, signal));
}
