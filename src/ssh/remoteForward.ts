// Channels to a remote Unix socket (`direct-streamlocal@openssh.com`), which SshConnection does
// not offer yet. STOPGAP: it reaches the connection's private ssh2 client; move this open into
// SshConnection (as a StreamChannel, like forwardOut) and delete the file.
import { Client, ClientChannel } from 'ssh2';
import { SshConnection } from './connection';
import { fromSsh2Error, SshError } from './errors';

function clientOf(connection: SshConnection): Client {
  const client = (connection as unknown as { client?: Client }).client;
  if (!client) throw new SshError(`${connection.label}: the connection does not expose its client`, 'unavailable');
  return client;
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

/** A channel to the Unix socket `path` on the server (OpenSSH streamlocal; needs AllowStreamLocalForwarding). */
export function openStreamLocal(connection: SshConnection, path: string): Promise<ClientChannel> {
  const client = clientOf(connection);
  return request<ClientChannel>(connection, `forward to ${path}`, (cb) => client.openssh_forwardOutStreamLocal(path, cb));
}
