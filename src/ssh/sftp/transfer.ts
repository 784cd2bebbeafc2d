// Pipelined reads, writes and copies on open handles. ssh2's streams keep one request in
// flight; over any latency that is the whole story, so we keep many (see shared/PERF.md:
// 16 × 261,120-byte reads and 8 × 261,120-byte writes were fastest against OpenSSH).
import { constants } from 'buffer';
import { abortable } from '../../common/time';
import { abortError, sshDeadline } from '../errors';
import { SftpChannel, SftpHandle } from './channel';
import { sftpError, STATUS_CODE } from './errors';

/** OpenSSH's limits@openssh.com read/write length; 262,144 would be split in two. */
export const DEFAULT_CHUNK = 261_120;
export const DEFAULT_READ_CONCURRENCY = 16;
export const DEFAULT_WRITE_CONCURRENCY = 8;
/**
 * How far past its stat'ed size a file may grow while it is read. A log appended to while we
 * read it is read on to its new end; a file that keeps growing beyond this (a server that never
 * answers EOF, a log written faster than we read) fails the read instead of filling memory.
 */
export const DEFAULT_MAX_GROWTH_BYTES = 16 * 1024 * 1024;

export interface TransferOptions {
  readonly signal?: AbortSignal;
  /** Requests in flight. */
  readonly concurrency?: number;
  /** Bytes per request; capped by the server's limits. */
  readonly chunkSize?: number;
}

/** Options of the streaming helpers, which report each acknowledged chunk. */
export interface StreamOptions extends TransferOptions {
  /** Called with the byte count of each chunk once it is through (read and handed on, or written and acknowledged). */
  readonly onBytes?: (bytes: number) => void;
}

/** Receives `data` read from `position`; the buffer is reused once the promise settles. */
export type ChunkSink = (data: Buffer, position: number) => Promise<void>;
/** Fills `buf` with the bytes at `position`; resolves how many (fewer only at the end). */
export type ChunkSource = (buf: Buffer, position: number) => Promise<number>;

/**
 * Runs `width` workers that each take jobs until `next()` has none; the first failure stops
 * all of them from taking more and rejects. Each worker has one request in flight at a time.
 */
async function pool<J>(
  width: number,
  next: () => J | undefined,
  run: (job: J, worker: number) => Promise<void>,
  signal: AbortSignal | undefined,
  what: string,
): Promise<void> {
  let stop = false;
  const worker = async (index: number) => {
    while (!stop && !signal?.aborted) {
      const job = next();
      if (job === undefined) return;
      await run(job, index);
    }
  };
  const workers = Array.from({ length: Math.max(1, width) }, (_, i) =>
    worker(i).catch((err) => {
      stop = true;
      throw err;
    }),
  );
  await abortable(Promise.all(workers), signal, { what, ...sshDeadline() });
}

/** Reads until `len` bytes are in or the file ends; SFTP allows short reads before EOF. */
async function readFully(ch: SftpChannel, h: SftpHandle, buf: Buffer, off: number, len: number, position: number): Promise<number> {
  let got = 0;
  while (got < len) {
    const n = await ch.read(h, buf, off + got, len - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

function chunkFor(requested: number | undefined, limit: number): number {
  return Math.max(1, Math.min(requested ?? DEFAULT_CHUNK, limit));
}

export interface ReadWholeOptions extends TransferOptions {
  /** Bytes the file may grow past `sizeHint` before the read fails; default DEFAULT_MAX_GROWTH_BYTES. */
  readonly maxGrowthBytes?: number;
  /** Bytes allocated before any arrive; default EAGER_READ_BYTES (smaller in tests, to see the stages). */
  readonly eagerBytes?: number;
}

/**
 * Bytes allocated for a whole-file read before any arrive. The size is the server's claim (a
 * STAT may say 3 GB of a file it never sends, and VS Code reads .vscode/settings.json on its
 * own when a folder opens): past this, the buffer grows only as bytes really arrive.
 */
const EAGER_READ_BYTES = 64 * 1024 * 1024;
/**
 * How much a larger read's buffer grows once every byte so far has arrived. Large, because each
 * step copies what is in and page-faults a fresh buffer (shared/PERF.md): 512 MiB is one step.
 */
const READ_GROWTH_FACTOR = 8;

/**
 * Reads a whole file into one Buffer. `sizeHint` is the fstat size; the file may shrink or
 * grow while we read. A one-byte probe at `sizeHint` goes out with the last chunk, so an
 * unchanged file costs no extra round trip and a grown one is read on to its new end, up to
 * `maxGrowthBytes` more: past that the read fails, naming the file (never a silent cut).
 * Memory follows the bytes received: up to EAGER_READ_BYTES at once, then in stages.
 */
export async function readWhole(ch: SftpChannel, h: SftpHandle, sizeHint: number, options: ReadWholeOptions = {}): Promise<Buffer> {
  const what = `read ${h.path}`;
  const chunk = chunkFor(options.chunkSize, ch.limits.maxReadLength);
  const size = sizeHint;
  if (size > constants.MAX_LENGTH) throw sftpError(STATUS_CODE.FAILURE, 'read', h.path, `${size} bytes do not fit in one Buffer`);
  let buf = Buffer.allocUnsafe(Math.min(size, Math.max(1, options.eagerBytes ?? EAGER_READ_BYTES)));
  const probe = Buffer.allocUnsafe(1);
  let eofAt = Infinity;
  let grew = false;
  const PROBE = -1;

  for (let start = 0; ; ) {
    // One stage: [start, buf.length), pipelined; the probe goes with the last stage only.
    const target = buf;
    const end = target.length;
    let nextOffset = start;
    let probed = end < size;
    await pool(
      options.concurrency ?? DEFAULT_READ_CONCURRENCY,
      () => {
        if (nextOffset < end && nextOffset < eofAt) {
          const off = nextOffset;
          nextOffset = Math.min(end, nextOffset + chunk);
          return off;
        }
        if (!probed) {
          probed = true;
          return PROBE;
        }
        return undefined;
      },
      async (off) => {
        if (off === PROBE) {
          grew = (await ch.read(h, probe, 0, 1, size)) > 0;
          return;
        }
        const len = Math.min(chunk, end - off);
        const n = await readFully(ch, h, target, off, len, off);
        if (n < len) eofAt = Math.min(eofAt, off + n);
      },
      options.signal,
      what,
    );
    if (end === size || eofAt < end) break;
    // Every byte so far arrived: grow, keeping them.
    buf = Buffer.allocUnsafe(Math.min(size, end * READ_GROWTH_FACTOR));
    target.copy(buf, 0, 0, end);
    start = end;
  }

  if (eofAt < size) {
    // Shrank while we read, or never held what it claimed: don't keep a mostly empty buffer alive.
    const got = buf.subarray(0, eofAt);
    return eofAt < buf.length / 2 ? Buffer.from(got) : got;
  }
  if (!grew) return buf;
  // Grew while we read (a log being appended to): read on one chunk at a time; rare.
  const limit = size + Math.max(0, options.maxGrowthBytes ?? DEFAULT_MAX_GROWTH_BYTES);
  const parts = [buf];
  for (let position = size; ; ) {
    if (options.signal?.aborted) throw abortError(what);
    // One byte past the limit tells "ended exactly there" from "still growing".
    const want = Math.min(chunk, limit + 1 - position);
    const more = Buffer.allocUnsafe(want);
    const n = await abortable(readFully(ch, h, more, 0, want, position), options.signal, { what, ...sshDeadline() });
    parts.push(more.subarray(0, n));
    position += n;
    if (position > limit) {
      throw sftpError(STATUS_CODE.FAILURE, 'read', h.path, `the file grew by more than ${limit - size} bytes past the ${size} bytes it had when opened, and is still growing; not read`);
    }
    if (n < want) break;
  }
  return Buffer.concat(parts);
}

/** Writes all of `data` at `position`, pipelined; resolves only when every write was acknowledged OK. */
export async function writeWhole(ch: SftpChannel, h: SftpHandle, data: Uint8Array, options: TransferOptions & { position?: number } = {}): Promise<void> {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const chunk = chunkFor(options.chunkSize, ch.limits.maxWriteLength);
  const base = options.position ?? 0;
  let nextOffset = 0;
  await pool(
    options.concurrency ?? DEFAULT_WRITE_CONCURRENCY,
    () => {
      if (nextOffset >= buf.length) return undefined;
      const off = nextOffset;
      nextOffset += chunk;
      return off;
    },
    (off) => ch.write(h, buf, off, Math.min(chunk, buf.length - off), base + off),
    options.signal,
    `write ${h.path}`,
  );
}

/** Client-side copy, pipelined: each worker reads a chunk into its own buffer and writes it back. Resolves the bytes copied. */
export async function copyStreamed(ch: SftpChannel, src: SftpHandle, dst: SftpHandle, options: TransferOptions = {}): Promise<number> {
  const chunk = chunkFor(options.chunkSize, Math.min(ch.limits.maxReadLength, ch.limits.maxWriteLength));
  const width = options.concurrency ?? DEFAULT_WRITE_CONCURRENCY;
  const buffers = Array.from({ length: width }, () => Buffer.allocUnsafe(chunk));
  let nextOffset = 0;
  let eofAt = Infinity;
  await pool(
    width,
    () => {
      if (nextOffset >= eofAt) return undefined;
      const off = nextOffset;
      nextOffset += chunk;
      return off;
    },
    async (off, worker) => {
      const buf = buffers[worker];
      const n = await readFully(ch, src, buf, 0, chunk, off);
      if (n > 0) await ch.write(dst, buf, 0, n, off);
      if (n < chunk) eofAt = Math.min(eofAt, off + n);
    },
    options.signal,
    `copy ${src.path}`,
  );
  return eofAt;
}

/**
 * Reads the first `size` bytes of a file, pipelined, handing each chunk to `sink` in whatever
 * order they arrive. Memory stays at one buffer per request in flight, whatever the size; a
 * file that grows meanwhile is read as it was (`size` is the bound), one that shrinks ends
 * early. Resolves the bytes read.
 */
export async function readInto(ch: SftpChannel, h: SftpHandle, size: number, sink: ChunkSink, options: StreamOptions = {}): Promise<number> {
  const chunk = chunkFor(options.chunkSize, ch.limits.maxReadLength);
  const width = Math.max(1, Math.min(options.concurrency ?? DEFAULT_READ_CONCURRENCY, Math.ceil(size / chunk)));
  const buffers = Array.from({ length: width }, () => Buffer.allocUnsafe(chunk));
  let nextOffset = 0;
  let eofAt = size;
  await pool(
    width,
    () => {
      if (nextOffset >= eofAt) return undefined;
      const off = nextOffset;
      nextOffset += chunk;
      return off;
    },
    async (off, worker) => {
      const len = Math.min(chunk, size - off);
      const n = await readFully(ch, h, buffers[worker], 0, len, off);
      if (n < len) eofAt = Math.min(eofAt, off + n);
      if (n > 0) {
        await sink(buffers[worker].subarray(0, n), off);
        options.onBytes?.(n);
      }
    },
    options.signal,
    `read ${h.path}`,
  );
  return eofAt;
}

/**
 * Writes `size` bytes pulled from `source`, pipelined: each request has its own buffer, so
 * memory stays bounded whatever the size. A source that runs short (the file shrank) ends the
 * write there. Resolves the bytes written, each acknowledged by the server.
 */
export async function writeFrom(ch: SftpChannel, h: SftpHandle, size: number, source: ChunkSource, options: StreamOptions = {}): Promise<number> {
  const chunk = chunkFor(options.chunkSize, ch.limits.maxWriteLength);
  const width = Math.max(1, Math.min(options.concurrency ?? DEFAULT_WRITE_CONCURRENCY, Math.ceil(size / chunk)));
  const buffers = Array.from({ length: width }, () => Buffer.allocUnsafe(chunk));
  let nextOffset = 0;
  let endAt = size;
  await pool(
    width,
    () => {
      if (nextOffset >= endAt) return undefined;
      const off = nextOffset;
      nextOffset += chunk;
      return off;
    },
    async (off, worker) => {
      const len = Math.min(chunk, endAt - off);
      if (len <= 0) return;
      const n = await source(buffers[worker].subarray(0, len), off);
      if (n < len) endAt = Math.min(endAt, off + n);
      if (n > 0) {
        await ch.write(h, buffers[worker], 0, n, off);
        options.onBytes?.(n);
      }
    },
    options.signal,
    `write ${h.path}`,
  );
  return endAt;
}
