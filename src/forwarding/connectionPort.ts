// Everything forwarding needs from a host's SSH connection, and nothing more. The forwarding
// core is written against these two interfaces only; `sshConnectionPort.ts` adapts them to
// today's src/ssh API (SshConnection.forwardOut, ConnectionPool's ConnectionRef) and is the one
// file to re-point at the channel layer (issue 13) when it lands.
import { Duplex } from 'stream';
import { Event } from '../common/event';

/** A TCP or Unix-socket peer as the server reports it. */
export interface Origin {
  readonly host: string;
  readonly port: number;
}

/** An incoming connection on a remote listener: accept it to get the channel, or refuse it. */
export interface RemoteConnectionOffer {
  readonly origin: Origin;
  accept(): Duplex;
  reject(): void;
}

export interface RemoteListener {
  /** The port the server bound (the one it picked when 0 was asked). */
  readonly port: number;
  /** Stops the server listening (cancel-tcpip-forward); connections already made stay. */
  close(): Promise<void>;
}

/** One live SSH connection. Every method fails (rejects) once the connection is gone. */
export interface ForwardingChannels {
  /** For log lines: `user@host:port` or the alias. */
  readonly label: string;
  readonly isOpen: boolean;
  /**
   * A `direct-tcpip` channel to `host:port`, resolved and connected by the server. These do not
   * count against sshd's MaxSessions. `origin` is what the server logs as the originator.
   * Rejects with an error whose message says why (e.g. "Connection refused") when the server
   * cannot connect.
   */
  openTcp(host: string, port: number, origin: Origin): Promise<Duplex>;
  /** A `direct-streamlocal@openssh.com` channel to a Unix socket on the server. */
  openUnix(path: string): Promise<Duplex>;
  /**
   * Asks the server to listen (`tcpip-forward`); each connection it accepts is offered to
   * `onConnection`. Rejects when the server refuses (AllowTcpForwarding, port in use).
   */
  listenRemote(host: string, port: number, onConnection: (offer: RemoteConnectionOffer) => void): Promise<RemoteListener>;
  /**
   * Reads at most `maxBytes` of a remote file over the connection's SFTP channel, up to its end
   * (procfs files report size 0, so the size is not trusted). Resolves the bytes and whether the
   * cap cut the file short.
   */
  readFileCapped(path: string, maxBytes: number, signal?: AbortSignal): Promise<{ data: Buffer; truncated: boolean }>;
  /** Fires once when this connection ends. */
  readonly onDidClose: Event<void>;
}

/** A host's connection over time: reconnects behind the scenes; forwards hold one of these. */
export interface ForwardingHost {
  /** The host's name as the pool knows it. */
  readonly name: string;
  /** The live connection, connecting or reconnecting first if needed. */
  channels(signal?: AbortSignal): Promise<ForwardingChannels>;
  /** Host connection state, for the manager's active/reconnecting/failed. */
  readonly state: HostLinkState;
  readonly onDidChangeState: Event<HostLinkState>;
  /** Lets go of the connection (the pool may close it when nobody else holds it). */
  release(): void;
}

export type HostLinkState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'failed';

/** Why the server would not open a forwarding channel; the adapter maps its errors to this. */
export type OpenFailure =
  /** The server forbids it (SSH "administratively prohibited": AllowTcpForwarding, PermitOpen). */
  | 'prohibited'
  /** The server tried and could not connect (refused, no route, unknown name). */
  | 'connect-failed'
  /** No connection to the host. */
  | 'unavailable'
  | 'other';

export class ChannelOpenError extends Error {
  constructor(
    message: string,
    readonly failure: OpenFailure,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ChannelOpenError';
  }
}
