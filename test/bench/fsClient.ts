// The side of the fs bench that runs our code. fs.ts bundles this file with esbuild the way
// the extension is shipped (ssh2 without its native addon), then loads the bundle.
import { SFTPWrapper } from 'ssh2';
import { SftpSession } from '../../src/ssh/sftp';
import { connectSsh2, TestConnection } from '../support/ssh2Client';
import type { Sshd } from '../support/sshd';

export { SftpSession };
export { nativeAddonLoaded } from './addon';
/** Ours: the extension's ConnectionPool (transport, algorithms, one SFTP session per host). */
export { pooledHost } from './connectClient';

/** A bare ssh2 client, for the SSH FS-style baselines. */
export interface BenchConnection {
  readonly conn: TestConnection;
  readonly sftp: SFTPWrapper;
  readonly session: SftpSession;
  close(): Promise<void>;
}

export async function connect(sshd: Sshd, noDelay = true): Promise<BenchConnection> {
  const conn = await connectSsh2(sshd, { noDelay });
  const sftp = await conn.sftp();
  const session = new SftpSession(sftp);
  return {
    conn,
    sftp,
    session,
    close: async () => {
      session.dispose();
      await conn.close(sftp);
    },
  };
}

/** How SSH FS reads a file: ssh2's createReadStream, one request in flight. Resolves the byte count. */
export function readLikeSshFs(sftp: SFTPWrapper, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    const chunks: Buffer[] = [];
    sftp
      .createReadStream(path)
      .on('data', (d: Buffer) => {
        bytes += d.length;
        chunks.push(d);
      })
      .on('error', reject)
      .on('end', () => {
        Buffer.concat(chunks, bytes); // SSH FS hands VS Code one buffer too
        resolve(bytes);
      });
  });
}
