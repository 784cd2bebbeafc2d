// Promise-based requests over one ssh2 SFTP channel. Every ssh2 callback, synchronous throw
// and closed-channel hang becomes a settled promise here; nothing above sees ssh2's API.
import { InputAttributes, OpenMode, SFTPWrapper, Stats } from 'ssh2';
import { Emitter } from '../../common/event';
import { sftpError, SftpError, STATUS_CODE, toSftpError } from './errors';
import { isDotEntry, isLossyName } from './names';

/** ssh2's parsed ATTRS: `mode`, `uid`, `gid`, `size`, `atime`/`mtime` in seconds, plus `isFile()` etc. */
export type Attributes = Stats;

export interface DirEntry {
  /** ssh2 decodes names as UTF-8; invalid bytes become U+FFFD (see `lossyName` and names.ts). */
  readonly name: string;
  readonly attrs: Attributes;
  /**
   * The name held bytes that are not UTF-8, so `name` is not the real name: the file
   * cannot be opened, renamed or written under it. ssh2 decodes before we see the bytes.
   * (A real name containing U+FFFD is reported as lossy too, which errs on the safe side.)
   */
  readonly lossyName: boolean;
}

/** An open remote file; `path` is for error messages. */
export interface SftpHandle {
  readonly raw: Buffer;
  readonly path: string;
}

export interface SftpLimits {
  /** Largest READ ssh2 will send in one request (OpenSSH: 261,120 from limits@openssh.com). */
  readonly maxReadLength: number;
  readonly maxWriteLength: number;
  readonly maxPacketLength: number;
  readonly maxOpenHandles: number;
}

/** The parts of ssh2's SFTP object its typings leave out; read, never written. */
interface Ssh2SftpInternals {
  _extensions?: Record<string, string>;
  _maxReadLen?: number;
  _maxWriteLen?: number;
  _maxOutPktLen?: number;
  maxOpenHandles?: number;
  outgoing?: { state?: string };
}

type Done<T> = (err: unknown, value?: T) => void;

/**
 * How long one request may go unanswered. Generous: it is per request (each READ or WRITE of a
 * large transfer has its own), and only a server that has stopped answering comes near it.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

export interface ChannelOptions {
  /** Per-request deadline (default DEFAULT_REQUEST_TIMEOUT_MS); Infinity for none. */
  readonly requestTimeoutMs?: number;
}

/** A request sent and not yet answered: when it went out, and how to fail it. */
interface Pending {
  readonly sentAt: number;
  /** Extra time this request may take past the deadline (a server-side copy of a large file). */
  readonly graceMs: number;
  readonly op: string;
  readonly path: string | undefined;
  readonly fail: (err: SftpError) => void;
}

export class SftpChannel {
  /**
   * Requests sent and not yet answered, oldest first (a Map keeps insertion order, and answered
   * ones leave it): rejected if the channel goes away under them or one of them times out.
   */
  private readonly pending = new Map<object, Pending>();
  /** Checks the oldest pending request against the deadline; set only while requests are pending. */
  private watchdog: NodeJS.Timeout | undefined;
  private readonly requestTimeoutMs: number;
  private readonly resetEmitter = new Emitter<SftpError>();
  /**
   * Fires once when a request timed out: every request on the channel has failed, and the
   * channel must be closed and replaced (sftp-server answers in order, so the rest would wait
   * behind the stuck one). The connection core owns the channel and does both.
   */
  readonly onDidReset = this.resetEmitter.event;
  /**
   * Handles whose CLOSE has gone out. sftp-server gives a freed handle number to the very next
   * OPEN, so a late request on a closed handle (a cancelled copy's last write, a second CLOSE
   * in a cleanup path) would land on some other operation's file: such requests never leave.
   */
  private readonly closedHandles = new WeakSet<SftpHandle>();
  private gone = false;
  private readonly onGone = () => this.markGone();
  private readonly internals: Ssh2SftpInternals;
  /** Extensions the server announced in its VERSION packet, name → version. */
  readonly extensions: ReadonlyMap<string, string>;
  /** ssh2 already asked limits@openssh.com during the handshake and applied the answer. */
  readonly limits: SftpLimits;

  constructor(
    protected readonly sftp: SFTPWrapper,
    options: ChannelOptions = {},
  ) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.internals = sftp as unknown as Ssh2SftpInternals;
    this.extensions = new Map(Object.entries(this.internals._extensions ?? {}));
    this.limits = {
      maxReadLength: this.internals._maxReadLen ?? 32768,
      maxWriteLength: this.internals._maxWriteLen ?? 32768,
      maxPacketLength: this.internals._maxOutPktLen ?? 34000,
      maxOpenHandles: this.internals.maxOpenHandles ?? Infinity,
    };
    // 'end' comes when the server side is gone (ssh2 has just failed its own pending requests);
    // 'error' is a fatal protocol error, after which ssh2 closes the channel.
    sftp.on('end', this.onGone);
    sftp.on('close', this.onGone);
    sftp.on('error', this.onGone);
  }

  get closed(): boolean {
    return this.gone || (this.internals.outgoing?.state !== undefined && this.internals.outgoing.state !== 'open');
  }

  hasExtension(name: string, version = '1'): boolean {
    return this.extensions.get(name) === version;
  }

  get hasPosixRename(): boolean {
    return this.hasExtension('posix-rename@openssh.com');
  }

  get hasFsync(): boolean {
    return this.hasExtension('fsync@openssh.com');
  }

  get hasCopyData(): boolean {
    return this.hasExtension('copy-data');
  }

  /** Stops listening to the channel; the connection core owns and closes the channel itself. */
  dispose(): void {
    this.sftp.off('end', this.onGone);
    this.sftp.off('close', this.onGone);
    this.sftp.off('error', this.onGone);
    this.markGone();
    this.resetEmitter.dispose();
  }

  private markGone(): void {
    this.failAll((p) => sftpError(STATUS_CODE.CONNECTION_LOST, p.op, p.path, 'the SFTP channel closed before the server answered'));
  }

  private failAll(why: (p: Pending) => SftpError): void {
    this.gone = true;
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
    for (const p of [...this.pending.values()]) p.fail(why(p));
  }

  /** Runs when the oldest pending request may be due; re-arms itself for the next one. */
  private readonly checkDeadline = (): void => {
    this.watchdog = undefined;
    if (this.gone) return;
    const now = Date.now();
    for (const [, p] of this.pending) {
      // The oldest without grace decides when to look again; one with grace is checked on its own.
      const due = p.sentAt + this.requestTimeoutMs + p.graceMs;
      if (now >= due) return this.expire(p);
      if (p.graceMs === 0) return this.armWatchdog(due - now);
    }
    if (this.pending.size) this.armWatchdog(this.requestTimeoutMs);
  };

  private armWatchdog(ms: number): void {
    if (this.watchdog || !Number.isFinite(this.requestTimeoutMs)) return;
    this.watchdog = setTimeout(this.checkDeadline, ms);
    this.watchdog.unref?.();
  }

  /** One request went unanswered past its deadline: fail it, then everything else, and ask for a new channel. */
  private expire(stuck: Pending): void {
    const seconds = Math.round((this.requestTimeoutMs + stuck.graceMs) / 100) / 10;
    const timeout = sftpError(STATUS_CODE.CONNECTION_LOST, stuck.op, stuck.path, `no answer within ${seconds} s; the SFTP channel is reopened`, 'timeout');
    stuck.fail(timeout);
    this.failAll((p) => sftpError(STATUS_CODE.CONNECTION_LOST, p.op, p.path, `not answered: the SFTP channel was reopened after ${stuck.op} timed out`, 'channel-reset'));
    this.resetEmitter.fire(timeout);
  }

  /**
   * Issues one request. ssh2 writes requests to a closed channel into the void and never
   * calls back, so those are refused here; it throws synchronously on bad arguments and
   * unsupported extensions, which become rejections. Each request has its own deadline.
   */
  protected request<T>(op: string, path: string | undefined, start: (done: Done<T>) => void, options: { graceMs?: number } = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.closed) {
        reject(sftpError(STATUS_CODE.CONNECTION_LOST, op, path, 'the SFTP channel is closed'));
        return;
      }
      let settled = false;
      const key = {};
      this.pending.set(key, {
        sentAt: Date.now(),
        graceMs: options.graceMs ?? 0,
        op,
        path,
        fail: (err) => {
          if (settled) return;
          settled = true;
          this.pending.delete(key);
          reject(err);
        },
      });
      this.armWatchdog(this.requestTimeoutMs + (options.graceMs ?? 0));
      const done: Done<T> = (err, value) => {
        if (settled) return;
        settled = true;
        this.pending.delete(key);
        if (err) reject(toSftpError(err, op, path, { channelClosed: this.closed }));
        else resolve(value as T);
      };
      try {
        start(done);
      } catch (err) {
        done(err ?? new Error('request failed'));
      }
    });
  }

  // ---- paths ----

  stat(path: string): Promise<Attributes> {
    return this.request('stat', path, (done) => this.sftp.stat(path, done));
  }

  lstat(path: string): Promise<Attributes> {
    return this.request('lstat', path, (done) => this.sftp.lstat(path, done));
  }

  /** lstat that answers undefined for NO_SUCH_FILE instead of failing. */
  async tryLstat(path: string): Promise<Attributes | undefined> {
    try {
      return await this.lstat(path);
    } catch (err) {
      if (SftpError.is(err, STATUS_CODE.NO_SUCH_FILE)) return undefined;
      throw err;
    }
  }

  realpath(path: string): Promise<string> {
    return this.request('realpath', path, (done) => this.sftp.realpath(path, done));
  }

  readlink(path: string): Promise<string> {
    return this.request('readlink', path, (done) => this.sftp.readlink(path, done));
  }

  /** Creates `linkPath` pointing at `target` (ssh2 swaps the arguments for OpenSSH's reversed order). */
  symlink(target: string, linkPath: string): Promise<void> {
    return this.request('symlink', linkPath, (done) => this.sftp.symlink(target, linkPath, done));
  }

  unlink(path: string): Promise<void> {
    return this.request('unlink', path, (done) => this.sftp.unlink(path, done));
  }

  rmdir(path: string): Promise<void> {
    return this.request('rmdir', path, (done) => this.sftp.rmdir(path, done));
  }

  protected mkdirRaw(path: string, attrs: InputAttributes): Promise<void> {
    return this.request('mkdir', path, (done) => this.sftp.mkdir(path, attrs, done));
  }

  setstat(path: string, attrs: InputAttributes): Promise<void> {
    return this.request('setstat', path, (done) => this.sftp.setstat(path, attrs, done));
  }

  chmod(path: string, mode: number): Promise<void> {
    return this.setstat(path, { mode });
  }

  /** SSH_FXP_RENAME: OpenSSH refuses an existing target (it uses link(2)), answering FAILURE. */
  renameRaw(oldPath: string, newPath: string): Promise<void> {
    return this.request('rename', oldPath, (done) => this.sftp.rename(oldPath, newPath, done));
  }

  /** posix-rename@openssh.com: rename(2), atomically replacing the target. */
  posixRename(oldPath: string, newPath: string): Promise<void> {
    return this.request('posix-rename', oldPath, (done) => this.sftp.ext_openssh_rename(oldPath, newPath, done));
  }

  // ---- handles ----

  async open(path: string, flags: OpenMode | number, attrs?: InputAttributes): Promise<SftpHandle> {
    const raw = await this.request<Buffer>('open', path, (done) =>
      attrs ? this.sftp.open(path, flags as OpenMode, attrs, done) : this.sftp.open(path, flags as OpenMode, done),
    );
    return { raw, path };
  }

  /** Sends CLOSE once; closing a handle again resolves at once without a request. */
  close(h: SftpHandle): Promise<void> {
    if (this.closedHandles.has(h)) return Promise.resolve();
    this.closedHandles.add(h);
    return this.request('close', h.path, (done) => this.sftp.close(h.raw, done));
  }

  /** A request on an open handle; refused here, unsent, once the handle's CLOSE went out. */
  private onHandle<T>(op: string, h: SftpHandle, start: (done: Done<T>) => void, options?: { graceMs?: number }): Promise<T> {
    if (this.closedHandles.has(h)) return Promise.reject(sftpError(STATUS_CODE.FAILURE, op, h.path, 'the file handle is already closed'));
    return this.request(op, h.path, start, options);
  }

  /** Close whose failure does not matter (cleanup after another error, or after a read). */
  async closeQuietly(h: SftpHandle): Promise<void> {
    await this.close(h).catch(() => undefined);
  }

  fstat(h: SftpHandle): Promise<Attributes> {
    return this.onHandle('fstat', h, (done) => this.sftp.fstat(h.raw, done));
  }

  fsetstat(h: SftpHandle, attrs: InputAttributes): Promise<void> {
    return this.onHandle('fsetstat', h, (done) => this.sftp.fsetstat(h.raw, attrs, done));
  }

  /** fsync@openssh.com; callers check hasExtension('fsync@openssh.com') first. */
  fsync(h: SftpHandle): Promise<void> {
    return this.onHandle('fsync', h, (done) => this.sftp.ext_openssh_fsync(h.raw, (err) => done(err)));
  }

  /** Reads into buf[off, off+len) from `position`; resolves the byte count, 0 at end of file. */
  read(h: SftpHandle, buf: Buffer, off: number, len: number, position: number): Promise<number> {
    // ssh2 copies the DATA payload straight into `buf` and turns EOF status into 0 bytes.
    return this.onHandle('read', h, (done) => this.sftp.read(h.raw, buf, off, len, position, (err, n) => done(err, n)));
  }

  /** Resolves once the server acknowledged this write with STATUS OK. */
  write(h: SftpHandle, buf: Buffer, off: number, len: number, position: number): Promise<void> {
    return this.onHandle('write', h, (done) => this.sftp.write(h.raw, buf, off, len, position, (err) => done(err)));
  }

  /**
   * copy-data extension (server-side copy); len 0 copies to the end of the source. One request
   * copies the whole file, so it gets `graceMs` past the deadline (the caller scales it by size).
   */
  copyData(src: SftpHandle, srcOffset: number, len: number, dst: SftpHandle, dstOffset: number, graceMs = 0): Promise<void> {
    if (this.closedHandles.has(dst)) return Promise.reject(sftpError(STATUS_CODE.FAILURE, 'copy-data', dst.path, 'the file handle is already closed'));
    return this.onHandle('copy-data', src, (done) => this.sftp.ext_copy_data(src.raw, srcOffset, len, dst.raw, dstOffset, (err) => done(err)), { graceMs });
  }

  opendir(path: string): Promise<SftpHandle> {
    return this.request<Buffer>('opendir', path, (done) => this.sftp.opendir(path, done)).then((raw) => ({ raw, path }));
  }

  /** One READDIR: the next batch of entries (without `.`/`..`), or undefined at the end. */
  readdirBatch(h: SftpHandle): Promise<DirEntry[] | undefined> {
    return this.onHandle('readdir', h, (done) =>
      this.sftp.readdir(h.raw, (err, list) => {
        if ((err as { code?: number } | undefined)?.code === STATUS_CODE.EOF) return done(undefined, undefined);
        if (err) return done(err);
        // ssh2 drops `.` and `..` already; dropped here too, so no listing above ever holds them.
        done(undefined, list.filter((e) => !isDotEntry(e.filename)).map((e) => ({
          name: e.filename, // the `ls -l` longname is dropped: nothing uses it, and a server may make it huge
          attrs: e.attrs as Attributes,
          lossyName: isLossyName(e.filename),
        })));
      }),
    );
  }
}
