// The shell hook's `code <path>` prints a private escape sequence; this filter, which sees the
// terminal's output before the editor does, takes it out and turns it into an open request.
//
//   ESC ] 5379 ; open ; <nonce> ; <f|d> ; <hex of the absolute path's bytes> BEL   (or ST = ESC \)
//
// Everything else passes through unchanged, including VS Code's own OSC 633 sequences. The
// sequence may be split across chunks anywhere. The remote is untrusted: a sequence is held
// at most MAX_SEQUENCE_CHARS (then dropped), the nonce must be this terminal's (so `cat` of a
// file cannot open things), and the path must be an absolute, normal, bounded POSIX path.
import * as path from 'path';

export const OPEN_SEQUENCE_PREFIX = '\x1b]5379;';
/** 4096-byte path as hex, plus the kind, the nonce and the separators. */
export const MAX_SEQUENCE_CHARS = 8192 + 256;
const MAX_PATH_BYTES = 4096;

export interface OpenRequest {
  /** Absolute, normalized remote path. */
  readonly path: string;
  readonly kind: 'file' | 'folder';
}

export class OpenRequestFilter {
  private held = '';

  constructor(
    private readonly nonce: string,
    private readonly onOpen: (request: OpenRequest) => void,
  ) {}

  /** Output to show for this chunk; open requests found in it are reported to `onOpen`. */
  write(text: string): string {
    let input = this.held + text;
    this.held = '';
    let out = '';
    for (;;) {
      const esc = input.indexOf('\x1b');
      if (esc < 0) return out + input;
      out += input.slice(0, esc);
      const rest = input.slice(esc);
      if (rest.length < OPEN_SEQUENCE_PREFIX.length) {
        // Could still become our prefix: wait for the next chunk.
        if (OPEN_SEQUENCE_PREFIX.startsWith(rest)) {
          this.held = rest;
          return out;
        }
      }
      if (!rest.startsWith(OPEN_SEQUENCE_PREFIX)) {
        out += '\x1b';
        input = rest.slice(1);
        continue;
      }
      const end = findTerminator(rest, OPEN_SEQUENCE_PREFIX.length);
      if (!end) {
        // Unterminated so far: hold it, unless it is already longer than any real request.
        if (rest.length <= MAX_SEQUENCE_CHARS) this.held = rest;
        return out;
      }
      if (end.start <= MAX_SEQUENCE_CHARS) this.parse(rest.slice(OPEN_SEQUENCE_PREFIX.length, end.start));
      input = rest.slice(end.after);
    }
  }

  /** The stream ended: a sequence still held is incomplete and is dropped. */
  end(): string {
    const held = this.held;
    this.held = '';
    return held.startsWith(OPEN_SEQUENCE_PREFIX) ? '' : held;
  }

  private parse(payload: string): void {
    const m = /^open;([0-9a-f]+);([fd]);([0-9a-f]*)$/.exec(payload);
    if (!m || m[1] !== this.nonce || m[3].length % 2 !== 0 || m[3].length > MAX_PATH_BYTES * 2) return;
    const decoded = decodeUtf8(Buffer.from(m[3], 'hex'));
    if (decoded === undefined || !decoded.startsWith('/') || decoded.includes('\0')) return;
    this.onOpen({ path: path.posix.normalize(decoded), kind: m[2] === 'd' ? 'folder' : 'file' });
  }
}

function findTerminator(text: string, from: number): { start: number; after: number } | undefined {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x07) return { start: i, after: i + 1 };
    if (c === 0x1b && i + 1 < text.length && text[i + 1] === '\\') return { start: i, after: i + 2 };
  }
  return undefined;
}

function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
