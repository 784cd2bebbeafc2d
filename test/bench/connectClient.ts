// The side of the connect bench that runs our code: the real ConnectionPool (src/ssh/pool.ts)
// wired to a test sshd. connect.ts bundles this file with esbuild the way the extension is
// shipped (ssh2 without its native addon), then loads the bundle.
import { exec } from '../../src/ssh/exec';
import { ConnectionPool } from '../../src/ssh/pool';
import { SftpSession } from '../../src/ssh/sftp';
import { memoryLog, targetFor, testPool } from '../support/targets';
import type { Sshd } from '../support/sshd';

export { nativeAddonLoaded } from './addon';

const HOST = 'bench';

function poolFor(sshd: Sshd): ConnectionPool {
  return testPool({ targets: { [HOST]: targetFor(sshd) }, hostKeys: [sshd.hostKey.publicKey] });
}

/**
 * A fresh pool, TCP connection, handshake, host key check, key auth and SFTP subsystem: seconds
 * until the SFTP session is ready, and until the connection is closed again (SFTP channel first).
 */
export async function connectSftpAndClose(sshd: Sshd): Promise<{ ready_s: number; closed_s: number }> {
  const start = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - start) / 1e9;
  const pool = poolFor(sshd);
  let ready_s: number;
  try {
    const ref = await pool.acquire(HOST);
    await (await ref.connection()).sftp();
    ready_s = seconds();
    ref.release();
  } finally {
    await pool.dispose();
  }
  return { ready_s, closed_s: seconds() };
}

export interface PooledHost {
  session: SftpSession;
  /** `stat`s `path` `count` times, one after the other. */
  statSequential(path: string, count: number): Promise<void>;
  /** Runs `command` on the pooled connection (one exec channel) and checks it exits 0. */
  exec(command: string): Promise<void>;
  close(): Promise<void>;
}

/** One pooled connection with its SFTP session open, kept for repeated measurements. */
export async function pooledHost(sshd: Sshd): Promise<PooledHost> {
  const pool = poolFor(sshd);
  const log = memoryLog();
  const ref = await pool.acquire(HOST);
  const connection = await ref.connection();
  const session = await connection.sftp();
  return {
    session,
    async statSequential(path, count) {
      for (let i = 0; i < count; i++) await session.stat(path);
    },
    async exec(command) {
      const result = await exec(connection, command, {}, log);
      if (result.code !== 0) throw new Error(`${command} exited ${result.code}: ${result.stderr.toString()}`);
    },
    async close() {
      ref.release();
      await pool.dispose();
    },
  };
}
