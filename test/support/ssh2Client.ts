// A bare ssh2 Client against a test sshd, on a socket we create with TCP_NODELAY (ssh2 never
// sets it; see shared/PERF.md). For tests and benches below the connection core.
import * as net from 'net';
import * as fs from 'fs';
import { Client, ConnectConfig, SFTPWrapper } from 'ssh2';
import type { Sshd } from './sshd';

export interface Ssh2ClientOptions {
  /** Default true. */
  readonly noDelay?: boolean;
  /** Extra ssh2 connect settings (algorithms, debug, …). */
  readonly config?: Partial<ConnectConfig>;
}

export interface TestConnection {
  readonly client: Client;
  readonly socket: net.Socket;
  /** Opens an SFTP channel; each call opens a new one. */
  sftp(): Promise<SFTPWrapper>;
  /** Closes the given SFTP channels and waits for them (else sftp-server is orphaned), then ends the connection. */
  close(...channels: SFTPWrapper[]): Promise<void>;
}

/** The host key blob sshd offers, as ssh2's hostVerifier receives it. */
export function hostKeyBlob(sshd: Sshd): Buffer {
  return Buffer.from(sshd.hostKey.publicKey.split(/\s+/)[1], 'base64');
}

export function connectSsh2(sshd: Sshd, options: Ssh2ClientOptions = {}): Promise<TestConnection> {
  const expectedKey = hostKeyBlob(sshd);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: sshd.host, port: sshd.port, noDelay: options.noDelay ?? true });
    const client = new Client();
    const onError = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    client.once('error', onError);
    client.once('ready', () => {
      client.off('error', onError);
      client.on('error', () => undefined); // late errors surface as failed requests
      resolve({
        client,
        socket,
        sftp: () => openSftp(client),
        close: async (...channels) => {
          await Promise.all(channels.map(closeSftp));
          if (socket.destroyed) return;
          const closed = new Promise<void>((r) => client.once('close', () => r()));
          client.end();
          await closed;
        },
      });
    });
    client.connect({
      sock: socket,
      username: sshd.user,
      privateKey: fs.readFileSync(sshd.userKey.privatePath),
      hostVerifier: (key: Buffer) => key.equals(expectedKey),
      readyTimeout: 15000,
      ...options.config,
    });
  });
}

export function openSftp(client: Client): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => client.sftp((err, sftp) => (err ? reject(err) : resolve(sftp))));
}

export function closeSftp(sftp: SFTPWrapper): Promise<void> {
  const state = (sftp as unknown as { outgoing?: { state?: string } }).outgoing?.state;
  if (state === 'closed') return Promise.resolve();
  return new Promise((resolve) => {
    sftp.once('close', () => resolve());
    sftp.end();
  });
}
