// Names of the temp files a safe save writes next to its target, and their bookkeeping.
import { randomBytes } from 'crypto';
import * as posix from 'path/posix';

/** `.<name>.sbx-<12 hex>.tmp`: hidden, and recognisable so leftovers (and only they) can be removed safely. */
export const TEMP_NAME = /^\..*\.sbx-[0-9a-f]{12}\.tmp$/s;

/** NAME_MAX is 255 bytes on Linux; keep room for the decoration. */
const MAX_BASE_BYTES = 200;

export function tempPathFor(target: string): string {
  const dir = posix.dirname(target);
  let base = posix.basename(target);
  if (Buffer.byteLength(base) > MAX_BASE_BYTES) {
    // Cut by code points so no character is split into invalid UTF-8.
    let cut = '';
    for (const ch of base) {
      if (Buffer.byteLength(cut + ch) > MAX_BASE_BYTES) break;
      cut += ch;
    }
    base = cut;
  }
  return posix.join(dir, `.${base}.sbx-${randomBytes(6).toString('hex')}.tmp`);
}

export function isTempPath(path: string): boolean {
  return TEMP_NAME.test(posix.basename(path));
}

/** Temp files this session created and has not yet renamed into place or removed. */
export class TempRegistry {
  private readonly paths = new Set<string>();

  add(path: string): void {
    this.paths.add(path);
  }

  delete(path: string): void {
    this.paths.delete(path);
  }

  list(): string[] {
    return [...this.paths];
  }
}
