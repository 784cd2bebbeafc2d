// Runs a file operation on a host's one SFTP session, holding a pool reference only
// for the operation (the pool's idle timer keeps the connection warm in between).
import { SshConnection } from '../ssh/connection';
import { exec } from '../ssh/exec';
import { ConnectionPool } from '../ssh/pool';
import { SftpError, SftpSession } from '../ssh/sftp';
import { Logger } from '../common/log';

export interface RemoteIdentity {
  readonly uid: number;
  readonly gids: ReadonlySet<number>;
}

export class RemoteSessions {
  private readonly identities = new WeakMap<SshConnection, Promise<RemoteIdentity | undefined>>();
  /** The last SFTP session per host: after a reconnect, its unfinished temp files are removed. */
  private readonly lastSession = new Map<string, SftpSession>();

  constructor(
    private readonly pool: ConnectionPool,
    private readonly log: Logger,
  ) {}

  async run<T>(host: string, op: (session: SftpSession, connection: SshConnection) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const ref = await this.pool.acquire(host, signal);
    try {
      const connection = await ref.connection(signal);
      const session = await connection.sftp();
      const previous = this.lastSession.get(host);
      if (previous !== session) {
        this.lastSession.set(host, session);
        if (previous && previous.tempFiles.length) await this.removeLeftovers(host, previous, session);
      }
      return await op(session, connection);
    } finally {
      ref.release();
    }
  }

  /**
   * `run` for operations that only read (stat, list, read a file). When another request on the
   * SFTP channel timed out, the channel was reset and this one failed unanswered: it runs once
   * more on the new channel. Writes never come here: whether one landed is unknown.
   */
  async runIdempotent<T>(host: string, op: (session: SftpSession, connection: SshConnection) => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return await this.run(host, op, signal);
    } catch (err) {
      if (!(SftpError.is(err) && err.reason === 'channel-reset')) throw err;
      this.log.info(`${host}: ${err.op} again on the new SFTP channel`);
      return this.run(host, op, signal);
    }
  }

  /** A save cut off by a dropped connection left its temp file behind; the original is intact. */
  private async removeLeftovers(host: string, previous: SftpSession, current: SftpSession): Promise<void> {
    try {
      const removed = await current.removeTempFiles(previous.tempFiles);
      if (removed.length) this.log.info(`${host}: removed ${removed.length} temp file(s) left by an interrupted save`);
    } catch (err) {
      this.log.warn(`${host}: could not remove temp files of an interrupted save: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /**
   * Who we are on the remote, to tell which files we may write. Asked once per connection
   * with `id`; hosts that allow no exec (SFTP-only gateways) get undefined and callers fall
   * back to the mode bits.
   */
  identity(connection: SshConnection): Promise<RemoteIdentity | undefined> {
    let known = this.identities.get(connection);
    if (!known) {
      // A server allowing one session gives it to the SFTP channel for the whole connection:
      // waiting for another would only wait out the timeout, on every first stat.
      const oneSession = new AbortController();
      const onWaiting = (wait: { limit: number }) => {
        if (wait.limit > 1) return;
        this.log.info(`${connection.label}: the server allows one session at a time, which SFTP holds; write permissions are judged by mode bits`);
        oneSession.abort();
      };
      known = exec(connection, 'id -u; id -G', { timeoutMs: 10_000, signal: oneSession.signal, onWaiting }, this.log).then(
        (r) => {
          const [uid, gids] = r.stdout.toString().trim().split('\n');
          if (r.code !== 0 || !/^\d+$/.test(uid ?? '')) return undefined;
          return { uid: Number(uid), gids: new Set((gids ?? '').split(/\s+/).filter(Boolean).map(Number)) };
        },
        () => undefined,
      );
      this.identities.set(connection, known);
    }
    return known;
  }
}

/** Whether `identity` may write a file with these attributes (root may write anything). */
export function canWrite(attrs: { mode: number; uid: number; gid: number }, identity: RemoteIdentity | undefined): boolean {
  if (!identity) return (attrs.mode & 0o222) !== 0;
  if (identity.uid === 0) return true;
  if (attrs.uid === identity.uid) return (attrs.mode & 0o200) !== 0;
  if (identity.gids.has(attrs.gid)) return (attrs.mode & 0o020) !== 0;
  return (attrs.mode & 0o002) !== 0;
}
