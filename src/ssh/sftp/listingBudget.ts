// What one directory listing may cost, whatever the server sends: a listing ends at EOF, and a
// hostile server can withhold EOF forever while answering every READDIR (empty batches, batches
// of only `.`/`..`, which ssh2 strips) or answer with huge names. Each bound fails the listing.
import { sftpError, SftpError, STATUS_CODE } from './errors';

/**
 * Entries one listing may hold: a server that never answers EOF (or a directory that fills
 * faster than we list it) fails the listing here instead of growing until memory runs out.
 */
export const DEFAULT_MAX_LISTING_ENTRIES = 200_000;
/** Bytes of names one listing may hold (UTF-8, as sent): 200,000 names of ~335 bytes. */
export const DEFAULT_MAX_LISTING_BYTES = 64 * 1024 * 1024;
/**
 * The longest name we accept, in bytes. A name is one path component, which Linux limits to
 * NAME_MAX (255 bytes) on every common file system; we follow the looser PATH_MAX (4096, a
 * whole path on Linux) so servers on other systems (longer component limits, UTF-16 names
 * widened to UTF-8) still list. A longer name is no real file: the listing is refused.
 */
export const MAX_NAME_BYTES = 4096;
/** Batches in a row without a single entry before the listing is given up (a real server sends EOF). */
const MAX_EMPTY_BATCHES = 3;
/** READDIRs past one per entry that a listing may send (the EOF, a few empty batches). */
const REQUEST_SLACK = 16;

export interface ListingLimits {
  readonly maxEntries: number;
  readonly maxBytes: number;
}

export class ListingBudget {
  private entries = 0;
  private bytes = 0;
  private requests = 0;
  private emptyInARow = 0;

  constructor(
    private readonly path: string,
    private readonly limits: ListingLimits,
  ) {}

  /** Counts a READDIR about to go out; past one per allowed entry (plus slack) the listing fails. */
  request(): void {
    if (++this.requests > this.limits.maxEntries + REQUEST_SLACK) throw this.fail(`more than ${this.requests - 1} READDIR requests without the end of the listing; not listed`, 'bad-listing');
  }

  /** Counts a batch's names (after ssh2 dropped `.` and `..`). */
  batch(names: readonly string[]): void {
    if (names.length === 0) {
      if (++this.emptyInARow >= MAX_EMPTY_BATCHES) throw this.fail(`the server sent ${this.emptyInARow} empty batches in a row without ending the listing; not listed`, 'bad-listing');
      return;
    }
    this.emptyInARow = 0;
    this.entries += names.length;
    if (this.entries > this.limits.maxEntries) throw this.fail(`more than ${this.limits.maxEntries} entries; not listed`, 'too-many-entries');
    for (const name of names) {
      const bytes = Buffer.byteLength(name);
      if (bytes > MAX_NAME_BYTES) throw this.fail(`the server sent a name of ${bytes} bytes (more than ${MAX_NAME_BYTES}); not listed`, 'bad-listing');
      this.bytes += bytes;
    }
    if (this.bytes > this.limits.maxBytes) throw this.fail(`more than ${this.limits.maxBytes} bytes of names; not listed`, 'bad-listing');
  }

  private fail(message: string, reason: 'bad-listing' | 'too-many-entries'): SftpError {
    return sftpError(STATUS_CODE.FAILURE, 'readdir', this.path, message, reason);
  }
}
