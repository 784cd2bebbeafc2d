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

/** Keyboard input to the remote: UTF-8 unless the host says otherwise (latin1 is the only other encoder Node has). */
export function encodeInput(text: string, encoding = 'utf-8'): Buffer {
  const e = encoding.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (e === 'latin1' || e === 'iso88591') return Buffer.from(text, 'latin1');
  return Buffer.from(text, 'utf8');
}
