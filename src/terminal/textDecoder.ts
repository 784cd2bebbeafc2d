// Remote output arrives in arbitrary chunks: a multi-byte character may be split across two.
// A streaming decoder keeps the partial bytes until the rest arrives instead of printing U+FFFD.
import { TextDecoder } from 'util';

export class StreamingTextDecoder {
  private readonly decoder: TextDecoder;

  /** `encoding` is a WHATWG label (utf-8, iso-8859-1, shift_jis…); unknown labels throw RangeError. */
  constructor(encoding = 'utf-8') {
    this.decoder = new TextDecoder(encoding, { fatal: false });
  }

  /** Text complete so far; an unfinished character is held for the next chunk. */
  write(chunk: Uint8Array): string {
    return this.decoder.decode(chunk, { stream: true });
  }

  /** Whatever is still held (an unfinished character becomes U+FFFD). */
  end(): string {
    return this.decoder.decode();
  }
}

/** The encoding's canonical WHATWG name, or undefined when Node's TextDecoder does not know the label. */
export function canonicalEncoding(label: string): string | undefined {
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return undefined;
  }
}

/** WHATWG's single-byte encodings (`latin1` and `iso-8859-1` are windows-1252 there). */
const SINGLE_BYTE = /^(ibm866|iso-8859-\d+|koi8-[ru]|macintosh|windows-874|windows-125\d|x-mac-cyrillic)$/;
const encoders = new Map<string, Map<string, number>>();

/**
 * Keyboard input to the remote in the host's encoding. Node has no encoders besides UTF-8 and
 * latin1, but a single-byte encoding's table is its decoder's output for bytes 0–255, inverted;
 * a character the encoding lacks becomes `?`. Multi-byte encodings other than UTF-8 get UTF-8.
 */
export function encodeInput(text: string, encoding = 'utf-8'): Buffer {
  const name = canonicalEncoding(encoding);
  if (!name || !SINGLE_BYTE.test(name)) return Buffer.from(text, 'utf8');
  // Keyed and built exactly as StreamingTextDecoder decodes (same label, stream mode): Node 20
  // decodes latin1/windows-1252 bytes 0x80–0x9F differently with and without `stream`.
  let table = encoders.get(encoding);
  if (!table) {
    table = new Map();
    const decoded = new TextDecoder(encoding).decode(Uint8Array.from({ length: 256 }, (_, i) => i), { stream: true });
    // Every single-byte decoder yields one UTF-16 unit per byte (U+FFFD where a byte is undefined).
    for (let i = 255; i >= 0; i--) if (decoded[i] !== '\ufffd') table.set(decoded[i], i);
    encoders.set(encoding, table);
  }
  const bytes: number[] = [];
  for (const ch of text) bytes.push(table.get(ch) ?? 0x3f);
  return Buffer.from(bytes);
}
