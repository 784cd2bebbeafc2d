// Reading a file on the user's machine whose path came from settings or ssh config (keys,
// known_hosts, config files): only regular files, with a size cap. A path that points at a
// FIFO would block open(2) until a writer appears, and /dev/zero never ends.
import * as fs from 'fs';

export const LOCAL_FILE_LIMITS = {
  /** Private and public keys are a few KiB. */
  key: 1024 * 1024,
  /** ssh_config files, Includes and the extension's own lists. */
  config: 4 * 1024 * 1024,
  /** known_hosts files of large fleets reach megabytes. */
  knownHosts: 64 * 1024 * 1024,
} as const;

/** Thrown for a path that exists but is not a regular file, or is over its cap. */
export class LocalFileError extends Error {
  constructor(
    message: string,
    readonly code: 'ENOTREG' | 'EFBIG',
  ) {
    super(message);
    this.name = 'LocalFileError';
  }
}

// O_NONBLOCK makes open(2) of a FIFO return at once; fstat then tells what was opened.
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0);

function notRegular(file: string): LocalFileError {
  return new LocalFileError(`${file} is not a regular file`, 'ENOTREG');
}

function tooLarge(file: string, maxBytes: number): LocalFileError {
  return new LocalFileError(`${file} is larger than ${maxBytes} bytes`, 'EFBIG');
}

/** The whole file, or an error; ENOENT and friends are thrown as fs throws them. */
export function readRegularFileSync(file: string, maxBytes: number): Buffer {
  const fd = fs.openSync(file, OPEN_FLAGS);
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error(`EISDIR: ${file} is a directory`), { code: 'EISDIR' });
    if (!st.isFile()) throw notRegular(file);
    if (st.size > maxBytes) throw tooLarge(file, maxBytes);
    // The file may grow between fstat and read; read at most one byte past the cap.
    const buffer = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const n = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > maxBytes) throw tooLarge(file, maxBytes);
      if (length === buffer.length) break;
    }
    return buffer.subarray(0, length);
  } finally {
    fs.closeSync(fd);
  }
}

export async function readRegularFile(file: string, maxBytes: number): Promise<Buffer> {
  const handle = await fs.promises.open(file, OPEN_FLAGS);
  try {
    const st = await handle.stat();
    if (st.isDirectory()) throw Object.assign(new Error(`EISDIR: ${file} is a directory`), { code: 'EISDIR' });
    if (!st.isFile()) throw notRegular(file);
    if (st.size > maxBytes) throw tooLarge(file, maxBytes);
    const buffer = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) throw tooLarge(file, maxBytes);
      if (length === buffer.length) break;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}
