// Promise-based requests over one ssh2 SFTP channel. Every ssh2 callback, synchronous throw
// and closed-channel hang becomes a settled promise here; nothing above sees ssh2's API.
import { InputAttributes, OpenMode, SFTPWrapper, Stats } from 'ssh2';
import { sftpError, SftpError, STATUS_CODE, toSftpError } from './errors';

/** ssh2's parsed ATTRS: `mode`, `uid`, `gid`, `size`, `atime`/`mtime` in seconds, plus `isFile()` etc. */
export type Attributes = Stats;

export interface DirEntry {
  /** ssh2 decodes names as UTF-8; invalid bytes become U+FFFD (see `lossyName`). */
  readonly name: string;
  /** `ls -l`-style line from the server (SFTP v3 only); decoded the same way. */
  readonly longname: string;
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

const LOSSY = '\uFFFD';

export class SftpChannel {
  /** Requests sent and not yet answered; rejected if the channel goes away under them. */
  private readonly pending = new Set<() => void>();
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

  constructor(protected readonly sftp: SFTPWrapper) {
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
  }

  private markGone(): void {
    this.gone = true;
    for (const abandon of [...this.pending]) abandon();
  }

  /**
   * Issues one request. ssh2 writes requests to a closed channel into the void and never
   * calls back, so those are refused here; it throws synchronously on bad arguments and
   * unsupported extensions, which become rejections.
   */
  protected request<T>(op: string, path: string | undefined, start: (done: Done<T>) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.closed) {
        reject(sftpError(STATUS_CODE.CONNECTION_LOST, op, path, 'the SFTP channel is closed'));
        return;
      }
      let settled = false;
      const abandon = () => {
        if (settled) return;
        settled = true;
        this.pending.delete(abandon);
        reject(sftpError(STATUS_CODE.CONNECTION_LOST, op, path, 'the SFTP channel closed before the server answered'));
      };
      this.pending.add(abandon);
      const done: Done<T> = (err, value) => {
        if (settled) return;
        settled = true;
        this.pending.delete(abandon);
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
  private onHandle<T>(op: string, h: SftpHandle, start: (done: Done<T>) => void): Promise<T> {
    if (this.closedHandles.has(h)) return Promise.reject(sftpError(STATUS_CODE.FAILURE, op, h.path, 'the file handle is already closed'));
    return this.request(op, h.path, start);
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

  /** copy-data extension (server-side copy); len 0 copies to the end of the source. */
  copyData(src: SftpHandle, srcOffset: number, len: number, dst: SftpHandle, dstOffset: number): Promise<void> {
    if (this.closedHandles.has(dst)) return Promise.reject(sftpError(STATUS_CODE.FAILURE, 'copy-data', dst.path, 'the file handle is already closed'));
    return this.onHandle('copy-data', src, (done) =>
      this.sftp.ext_copy_data(src.raw, srcOffset, len, dst.raw, dstOffset, (err) => done(err)),
    );
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
        done(undefined, list.map((e) => ({
          name: e.filename,
          longname: e.longname,
          attrs: e.attrs as Attributes,
          lossyName: e.filename.includes(LOSSY),
        })));
      }),
    );
  }
}
