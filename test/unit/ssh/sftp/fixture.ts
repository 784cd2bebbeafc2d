// Shared set-up for the SFTP tests: one real sshd per file, one connection and SFTP channel,
// and a fresh directory under the sshd's root per test. The remote is this machine, so tests
// prepare and inspect files with plain `fs` at the same paths.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { SFTPWrapper } from 'ssh2';
import { SftpSession } from '../../../../src/ssh/sftp';
import { closeSftp, connectSsh2, TestConnection } from '../../../support/ssh2Client';
import { startSshd, Sshd } from '../../../support/sshd';

export interface SftpFixture {
  sshd: Sshd;
  conn: TestConnection;
  sftp: SFTPWrapper;
  session: SftpSession;
  /** A fresh, empty directory for the current test. */
  dir: string;
}

export function useSftp(): SftpFixture {
  const f = {} as SftpFixture;
  let n = 0;
  before(async function () {
    this.timeout(30000);
    f.sshd = await startSshd();
    f.conn = await connectSsh2(f.sshd);
    f.sftp = await f.conn.sftp();
    f.session = new SftpSession(f.sftp);
  });
  after(async () => {
    f.session?.dispose();
    await f.conn?.close(f.sftp);
    await f.sshd?.stop();
  });
  beforeEach(() => {
    f.dir = path.join(f.sshd.root, `t${n++}`);
    fs.mkdirSync(f.dir);
  });
  return f;
}

/** A session on a channel of its own, for tests that break or alter the channel. */
export async function ownSession(f: SftpFixture, prepare?: (sftp: SFTPWrapper) => void): Promise<{ sftp: SFTPWrapper; session: SftpSession; close(): Promise<void> }> {
  const sftp = await f.conn.sftp();
  prepare?.(sftp);
  const session = new SftpSession(sftp);
  return {
    sftp,
    session,
    close: async () => {
      session.dispose();
      await closeSftp(sftp);
    },
  };
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function randomData(size: number): Buffer {
  // Not crypto-random: fast and still never accidentally periodic at chunk boundaries.
  const buf = Buffer.allocUnsafe(size);
  let x = (size * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf[i] = x & 0xff;
  }
  return buf;
}

export type Counts = Record<string, number>;

/**
 * Wraps request methods of one SFTPWrapper instance to count calls (and track the most in
 * flight for read/write). ssh2 methods are on the prototype, so instance properties win.
 */
export function countRequests(sftp: SFTPWrapper, names: string[]): { counts: Counts; maxInFlight: Counts; restore(): void } {
  const counts: Counts = {};
  const maxInFlight: Counts = {};
  const inFlight: Counts = {};
  const target = sftp as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of names) {
    counts[name] = 0;
    maxInFlight[name] = 0;
    inFlight[name] = 0;
    const original = target[name];
    target[name] = function (this: unknown, ...args: unknown[]) {
      counts[name]++;
      const cbIndex = args.findIndex((a) => typeof a === 'function');
      if (cbIndex >= 0) {
        inFlight[name]++;
        maxInFlight[name] = Math.max(maxInFlight[name], inFlight[name]);
        const cb = args[cbIndex] as (...a: unknown[]) => void;
        args[cbIndex] = (...a: unknown[]) => {
          inFlight[name]--;
          cb(...a);
        };
      }
      return original.apply(this, args);
    };
  }
  return {
    counts,
    maxInFlight,
    restore: () => names.forEach((name) => delete target[name]),
  };
}

/** Replaces one method of this SFTPWrapper instance; `original` is the prototype's. */
export function intercept(sftp: SFTPWrapper, name: string, replacement: (original: (...args: unknown[]) => unknown, ...args: unknown[]) => unknown): () => void {
  const target = sftp as unknown as Record<string, (...args: unknown[]) => unknown>;
  const original = target[name].bind(sftp);
  target[name] = (...args: unknown[]) => replacement(original, ...args);
  return () => delete target[name];
}

/** Files in `dir` whose names look like our temp files. */
export function tempFilesIn(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => /\.sbx-[0-9a-f]{12}\.tmp$/.test(n));
}
