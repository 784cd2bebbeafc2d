// Joins a local socket and an SSH channel both ways. `pipe` gives back-pressure (a slow reader
// pauses the other side; the SSH window does the rest) and passes half-close on (EOF of one
// side ends the other's writing only). When one side has fully closed, the other is ended and
// then destroyed once its last bytes are written; an error on either destroys both.
import { Duplex } from 'stream';

export interface SpliceCounters {
  /** Bytes from the local socket to the channel. */
  up(n: number): void;
  /** Bytes from the channel to the local socket. */
  down(n: number): void;
}

/** Resolves when both streams are closed (never rejects: errors end the pair). */
export function splice(local: Duplex, remote: Duplex, counters?: SpliceCounters): Promise<void> {
  return new Promise((resolve) => {
    let closed = 0;
    const onClosed = (other: Duplex) => () => {
      finish(other);
      if (++closed === 2) resolve();
    };
    const destroyBoth = () => {
      local.destroy();
      remote.destroy();
    };
    local.on('error', destroyBoth);
    remote.on('error', destroyBoth);
    // A stream that closed before we were handed it will not emit 'close' again.
    if (local.closed) onClosed(remote)();
    else local.once('close', onClosed(remote));
    if (remote.closed) onClosed(local)();
    else remote.once('close', onClosed(local));
    if (counters) {
      local.on('data', (d: Buffer) => counters.up(d.length));
      remote.on('data', (d: Buffer) => counters.down(d.length));
    }
    local.pipe(remote);
    remote.pipe(local);
  });
}

/** Ends `s` (flushing what it has) and destroys it when flushed; at once when already finished. */
function finish(s: Duplex): void {
  if (s.destroyed) return;
  if (s.writableFinished) return void s.destroy();
  s.once('finish', () => s.destroy());
  s.end();
}
