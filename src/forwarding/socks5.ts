// The server side of a SOCKS5 handshake (RFC 1928), no-auth only and CONNECT only: that is all
// a local dynamic forward needs (OpenSSH's -D offers the same). Input is untrusted: sizes are
// bounded, a stalled handshake times out, and anything malformed ends the socket without a
// reply. The target is not resolved here: names go to the server, which resolves them.
import * as net from 'net';

export const SOCKS_REPLY = {
  succeeded: 0x00,
  generalFailure: 0x01,
  notAllowed: 0x02,
  networkUnreachable: 0x03,
  hostUnreachable: 0x04,
  connectionRefused: 0x05,
  commandNotSupported: 0x07,
  addressTypeNotSupported: 0x08,
} as const;

const VERSION = 0x05;
const NO_AUTH = 0x00;
const NO_ACCEPTABLE_METHODS = 0xff;
const CMD_CONNECT = 0x01;
const ATYP_IPV4 = 0x01;
const ATYP_DOMAIN = 0x03;
const ATYP_IPV6 = 0x04;

export interface SocksTarget {
  readonly host: string;
  readonly port: number;
  readonly addressType: 'ipv4' | 'ipv6' | 'domain';
}

/** Why a handshake ended without a target; `replied` says whether the client got a reply code. */
export class SocksHandshakeError extends Error {
  constructor(
    message: string,
    readonly replied: boolean,
  ) {
    super(message);
    this.name = 'SocksHandshakeError';
  }
}

/**
 * Runs the greeting and the request on a fresh (paused) socket. Resolves the CONNECT target with
 * the socket paused and any bytes the client sent early put back; the caller then sends
 * `reply(socket, code)`. Refused methods and commands get their reply and a closed socket.
 */
export async function acceptSocks5(socket: net.Socket, timeoutMs = 10_000): Promise<SocksTarget> {
  const reader = new ByteReader(socket, timeoutMs);
  try {
    const [version, nmethods] = await reader.read(2);
    if (version !== VERSION) throw drop(`not SOCKS5 (version byte ${version})`);
    if (nmethods === 0) throw drop('greeting offers no authentication methods');
    const methods = await reader.read(nmethods);
    if (!methods.includes(NO_AUTH)) {
      socket.end(Buffer.from([VERSION, NO_ACCEPTABLE_METHODS]));
      throw new SocksHandshakeError(`client offers only authentication methods ${[...methods].map((m) => `0x${m.toString(16)}`).join(', ')}; only "no authentication" is supported`, true);
    }
    socket.write(Buffer.from([VERSION, NO_AUTH]));
    const [v2, cmd, rsv, atyp] = await reader.read(4);
    if (v2 !== VERSION || rsv !== 0) throw drop('malformed request');
    let host: string;
    let addressType: SocksTarget['addressType'];
    if (atyp === ATYP_IPV4) {
      host = [...(await reader.read(4))].join('.');
      addressType = 'ipv4';
    } else if (atyp === ATYP_IPV6) {
      const b = await reader.read(16);
      host = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(i * 2).toString(16)).join(':');
      addressType = 'ipv6';
    } else if (atyp === ATYP_DOMAIN) {
      const [len] = await reader.read(1);
      const name = (await reader.read(len)).toString('latin1');
      // Printable names only: the name goes into the server's resolver and our log lines.
      if (len === 0 || !/^[A-Za-z0-9._-]+$/.test(name)) {
        reply(socket, SOCKS_REPLY.hostUnreachable);
        throw new SocksHandshakeError('invalid host name in request', true);
      }
      host = name;
      addressType = 'domain';
    } else {
      reply(socket, SOCKS_REPLY.addressTypeNotSupported);
      throw new SocksHandshakeError(`address type ${atyp} is not supported`, true);
    }
    const port = (await reader.read(2)).readUInt16BE(0);
    if (cmd !== CMD_CONNECT) {
      reply(socket, SOCKS_REPLY.commandNotSupported);
      throw new SocksHandshakeError(`command ${cmd} is not supported (only CONNECT)`, true);
    }
    if (port === 0) {
      reply(socket, SOCKS_REPLY.hostUnreachable);
      throw new SocksHandshakeError('port 0 requested', true);
    }
    return { host, port, addressType };
  } finally {
    reader.release();
  }

  function drop(why: string): SocksHandshakeError {
    socket.destroy();
    return new SocksHandshakeError(why, false);
  }
}

/** Sends a reply with an unspecified bound address (0.0.0.0:0); a failure code also ends the socket. */
export function reply(socket: net.Socket, code: number): void {
  const packet = Buffer.from([VERSION, code, 0x00, ATYP_IPV4, 0, 0, 0, 0, 0, 0]);
  if (code === SOCKS_REPLY.succeeded) socket.write(packet);
  else socket.end(packet);
}

/** Reads exact byte counts from a socket, with one deadline for the whole handshake. */
class ByteReader {
  private buffered: Buffer = Buffer.alloc(0);
  private wanted: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly onData = (d: Buffer) => {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, d]) : d;
    // A handshake is at most 2+255 + 4+1+255+2 bytes; a client sending far more before our
    // answers is not speaking SOCKS.
    if (this.buffered.length > 64 * 1024) return this.fail(new SocksHandshakeError('too much data before the handshake finished', false));
    this.deliver();
  };
  private readonly onEnd = () => this.fail(new SocksHandshakeError('client closed during the handshake', false));

  constructor(
    private readonly socket: net.Socket,
    timeoutMs: number,
  ) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onEnd);
    this.timer = setTimeout(() => this.fail(new SocksHandshakeError(`no complete handshake within ${timeoutMs / 1000} s`, false)), timeoutMs);
    socket.resume();
  }

  read(n: number): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.wanted = { n, resolve, reject };
      this.deliver();
    });
  }

  /** Stops reading and puts unread bytes back for whoever reads the socket next. */
  release(): void {
    clearTimeout(this.timer);
    this.socket.pause();
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onEnd);
    if (this.buffered.length && !this.socket.destroyed) this.socket.unshift(this.buffered);
    this.buffered = Buffer.alloc(0);
  }

  private deliver(): void {
    const w = this.wanted;
    if (!w || this.buffered.length < w.n) return;
    this.wanted = undefined;
    const out = this.buffered.subarray(0, w.n);
    this.buffered = this.buffered.subarray(w.n);
    w.resolve(out);
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.socket.destroy();
    this.wanted?.reject(err);
    this.wanted = undefined;
  }
}
