// The file operations the fs/ adapter needs, over one SFTP channel that the connection core
// owns (channels count against MaxSessions, so everything shares this one).
import { SFTPWrapper } from 'ssh2';
import { abortable } from '../../common/time';
import { Attributes, ChannelOptions, DirEntry, SftpChannel, SftpHandle } from './channel';
import { abortError, sshDeadline } from '../errors';
import { sftpError, SftpError, STATUS_CODE, withReason } from './errors';
import { DEFAULT_MAX_LISTING_BYTES, DEFAULT_MAX_LISTING_ENTRIES, ListingBudget } from './listingBudget';
import { removeTemp, removeTempFiles, writeFileAtomic, writeFileAtomicWith, writeFileInPlace, WriteOptions } from './safeSave';
import { tempPathFor, TempRegistry } from './tempFiles';
import { ChunkSink, ChunkSource, copyStreamed, readInto, readWhole, ReadWholeOptions, StreamOptions, TransferOptions, writeFrom } from './transfer';

/** READDIR requests in flight per listing. */
const READDIR_AHEAD = 3;

/**
 * A server-side copy (copy-data) is one request for the whole file: besides the request
 * deadline it may take as long as copying at this rate would (a slow disk, a large file).
 */
const COPY_DATA_MIN_BYTES_PER_SECOND = 10 * 1024 * 1024;

export interface ReaddirOptions {
  /** READDIR requests in flight (default 3). */
  readonly readAhead?: number;
  /** Fail once the listing passes this many entries (default DEFAULT_MAX_LISTING_ENTRIES). */
  readonly maxEntries?: number;
  /** Fail once the names pass this many bytes (default DEFAULT_MAX_LISTING_BYTES). */
  readonly maxBytes?: number;
  /** Stops the listing between batches (it fails with an abort error). */
  readonly signal?: AbortSignal;
}

export interface RenameOptions {
  /** Replace an existing target (atomically, with posix-rename@openssh.com when offered). */
  readonly overwrite?: boolean;
}

export interface ReadOptions extends ReadWholeOptions {
  /** The file's attributes from a STAT the caller has just made (saves one round trip). */
  readonly attrs?: Attributes;
}

/** Reads and copies need a regular file: a FIFO would block the server, a device never ends. */
function assertRegularFile(attrs: Attributes, op: string, path: string): void {
  if (!attrs.isFile()) throw sftpError(STATUS_CODE.FAILURE, op, path, attrs.isDirectory() ? 'is a directory' : 'not a regular file', 'not-a-file');
}

export interface CopyOptions extends TransferOptions {
  readonly overwrite?: boolean;
  /** Use the server's copy-data extension when offered (default true). */
  readonly serverSide?: boolean;
}

export class SftpSession extends SftpChannel {
  private readonly temps = new TempRegistry();
  /** The server announced copy-data but refused it once: don't ask again on this session. */
  private copyDataRefused = false;

  constructor(sftp: SFTPWrapper, options: ChannelOptions = {}) {
    super(sftp, options);
  }

  /** Temp files this session created and has not renamed into place or removed yet. */
  get tempFiles(): string[] {
    return this.temps.list();
  }

  /**
   * Lists a directory with the attributes READDIR already carries: one request per batch of
   * entries (OpenSSH sends up to 100), never one per entry. Symlinks come back as links.
   * READDIRs on one handle are answered in order, so a few go out ahead: the server reads
   * the next batch while we parse this one, and a small directory's EOF costs no extra trip.
   * The listing is bounded whatever the server sends (ListingBudget): entries, bytes of names,
   * name length, READDIRs sent and empty batches in a row; past one it fails.
   */
  async readdir(path: string, options: ReaddirOptions = {}): Promise<DirEntry[]> {
    const what = `list ${path}`;
    const budget = new ListingBudget(path, { maxEntries: options.maxEntries ?? DEFAULT_MAX_LISTING_ENTRIES, maxBytes: options.maxBytes ?? DEFAULT_MAX_LISTING_BYTES });
    if (options.signal?.aborted) throw abortError(what);
    const h = await this.opendir(path);
    const inFlight: Promise<DirEntry[] | undefined>[] = [];
    const issue = () => {
      budget.request();
      const p = this.readdirBatch(h);
      p.catch(() => undefined); // awaited in order below; later ones may be abandoned at EOF
      inFlight.push(p);
    };
    try {
      for (let i = 0; i < Math.max(1, options.readAhead ?? READDIR_AHEAD); i++) issue();
      const entries: DirEntry[] = [];
      for (;;) {
        const batch = await abortable(inFlight.shift()!, options.signal, { what, ...sshDeadline() });
        if (!batch) return entries;
        budget.batch(batch.map((e) => e.name));
        for (const e of batch) entries.push(e);
        issue();
      }
    } finally {
      void this.closeQuietly(h); // in order, as in readFile: no need to wait for it
    }
  }

  /** SFTP v3 has no EEXIST: mkdir on an existing path answers FAILURE, so lstat tells. */
  async mkdir(path: string, options: { mode?: number } = {}): Promise<void> {
    try {
      await this.mkdirRaw(path, options.mode !== undefined ? { mode: options.mode } : {});
    } catch (err) {
      if (SftpError.is(err, STATUS_CODE.FAILURE) && (await this.tryLstat(path).catch(() => undefined))) throw withReason(err, 'exists');
      throw err;
    }
  }

  async rename(oldPath: string, newPath: string, options: RenameOptions = {}): Promise<void> {
    if (options.overwrite) {
      if (this.hasPosixRename) return this.posixRename(oldPath, newPath);
      // No atomic replace on offer: if the plain rename is refused because of the target
      // (never before we know the source exists), remove a non-directory target and retry.
      try {
        return await this.renameRaw(oldPath, newPath);
      } catch (err) {
        const existing = SftpError.is(err, STATUS_CODE.FAILURE) ? await this.tryLstat(newPath).catch(() => undefined) : undefined;
        if (!existing || existing.isDirectory()) throw err;
      }
      await this.unlink(newPath);
      return this.renameRaw(oldPath, newPath);
    }
    try {
      // SFTP v3 RENAME refuses an existing target (OpenSSH uses link(2) for files), so no
      // check-then-rename race; FAILURE only tells us something went wrong, lstat tells what.
      await this.renameRaw(oldPath, newPath);
    } catch (err) {
      if (SftpError.is(err, STATUS_CODE.FAILURE) && (await this.tryLstat(newPath).catch(() => undefined))) throw withReason(err, 'exists');
      throw err;
    }
  }

  /**
   * Copies one regular file (the adapter recurses for folders) into a temp file next to the
   * target, then renames it into place: a failed or cancelled copy leaves no partial target.
   * Server-side (copy-data) when offered, else a pipelined read/write through this client.
   */
  async copy(src: string, dst: string, options: CopyOptions = {}): Promise<void> {
    // Both go out together; a missing source wins over an existing target, as in cp(1). The
    // source is stat'ed before it is opened: opening a FIFO would block the server (readFile).
    const [source, existing] = await Promise.allSettled([this.stat(src), options.overwrite ? undefined : this.tryLstat(dst)]);
    if (source.status === 'rejected') throw source.reason;
    const attrs = source.value;
    assertRegularFile(attrs, 'copy', src);
    if (existing.status === 'rejected') throw existing.reason;
    if (existing.value) throw sftpError(STATUS_CODE.FAILURE, 'copy', src, `${dst} exists`, 'exists');
    const from = await this.open(src, 'r');
    const tempPath = tempPathFor(dst);
    let to: SftpHandle | undefined;
    let tempCreated = false;
    try {
      this.temps.add(tempPath);
      tempCreated = true; // set before the OPEN: if its answer is lost, the file may exist all the same
      to = await this.open(tempPath, 'wx', { mode: attrs.mode & 0o777 });
      if (options.serverSide !== false && this.hasCopyData && !this.copyDataRefused) {
        try {
          const graceMs = Math.ceil(((attrs.size ?? 0) / COPY_DATA_MIN_BYTES_PER_SECOND) * 1000);
          await abortable(this.copyData(from, 0, 0, to, 0, graceMs), options.signal, { what: `copy ${src}`, ...sshDeadline() });
        } catch (err) {
          if (!SftpError.is(err, STATUS_CODE.PERMISSION_DENIED) && !SftpError.is(err, STATUS_CODE.OP_UNSUPPORTED)) throw err;
          // Announced but refused by policy (sftp-server -P copy-data): stream, and stop asking.
          this.copyDataRefused = true;
          await copyStreamed(this, from, to, options);
        }
      } else {
        await copyStreamed(this, from, to, options);
      }
      const closing = to;
      to = undefined;
      await this.close(closing);
      await this.rename(tempPath, dst, { overwrite: options.overwrite });
      this.temps.delete(tempPath);
    } catch (err) {
      if (to) await this.closeQuietly(to);
      if (tempCreated) await removeTemp(this, this.temps, tempPath);
      throw err;
    } finally {
      await this.closeQuietly(from);
    }
  }

  /**
   * The whole file in one Buffer: STAT, OPEN, then pipelined reads straight into it. The STAT
   * goes first because sftp-server blocks in open(2) on a FIFO, and every later request on the
   * channel with it; a caller that has just stat'ed the file passes `attrs` and saves the round
   * trip. The size is only a hint: readWhole copes with a file that changes meanwhile.
   */
  async readFile(path: string, options: ReadOptions = {}): Promise<Buffer> {
    const what = `read ${path}`;
    const attrs = options.attrs ?? (await abortable(this.stat(path), options.signal, { what, ...sshDeadline() }));
    assertRegularFile(attrs, 'read', path);
    const opening = this.open(path, 'r');
    let h: SftpHandle;
    try {
      h = await abortable(opening, options.signal, { what, ...sshDeadline() });
    } catch (err) {
      opening.then((late) => this.closeQuietly(late), () => undefined); // cancelled before the handle came
      throw err;
    }
    try {
      return await readWhole(this, h, attrs.size ?? 0, options);
    } finally {
      // Not awaited: SFTP answers in order, so the handle is closed before anything we send
      // next is looked at, and a failed close of a read handle changes nothing.
      void this.closeQuietly(h);
    }
  }

  /**
   * Streams a regular file to `sink` with bounded memory (see readInto): the first `attrs.size`
   * bytes, as the caller's fresh lstat/stat `attrs` saw it. Resolves the bytes read.
   */
  async readFileInto(path: string, attrs: Attributes, sink: ChunkSink, options: StreamOptions = {}): Promise<number> {
    const what = `read ${path}`;
    assertRegularFile(attrs, 'read', path);
    const opening = this.open(path, 'r');
    let h: SftpHandle;
    try {
      h = await abortable(opening, options.signal, { what, ...sshDeadline() });
    } catch (err) {
      opening.then((late) => this.closeQuietly(late), () => undefined);
      throw err;
    }
    try {
      return await readInto(this, h, attrs.size ?? 0, sink, options);
    } finally {
      void this.closeQuietly(h);
    }
  }

  /** Safe save (see safeSave.ts) of `size` bytes pulled from `source` with bounded memory. */
  writeFileAtomicFrom(path: string, size: number, source: ChunkSource, options: WriteOptions & StreamOptions = {}): Promise<Attributes> {
    return writeFileAtomicWith(this, this.temps, path, (h) => writeFrom(this, h, size, source, options), options);
  }

  /** Safe save; see safeSave.ts. Resolves the new attributes (mtime/size to expect next time). */
  writeFileAtomic(path: string, data: Uint8Array, options: WriteOptions = {}): Promise<Attributes> {
    return writeFileAtomic(this, this.temps, path, data, options);
  }

  /** In-place save, only when the caller decided the temp route is impossible (SftpError reason 'unsafe-save'). */
  writeFileInPlace(path: string, data: Uint8Array, options: WriteOptions = {}): Promise<Attributes> {
    return writeFileInPlace(this, path, data, options);
  }

  /** Removes the given temp files, e.g. `oldSession.tempFiles` after a reconnect. Resolves what was removed. */
  removeTempFiles(paths: Iterable<string> = this.tempFiles): Promise<string[]> {
    return removeTempFiles(this, this.temps, paths);
  }

}
