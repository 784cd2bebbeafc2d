// What the set-up scripts share: one `setup:` line per step, saying what it did and how
// long that took. Plain Node, no dependencies: these run before `npm ci`.
import * as fs from 'fs';
import * as path from 'path';
import { fileURLToPath } from 'url';

/** Seconds (or milliseconds under one second) since `startedMs`. */
export function elapsed(startedMs, now = performance.now()) {
  const ms = now - startedMs;
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function say(message) {
  console.log(`setup: ${message}`);
}

/** Stops the set-up with a message on stderr; npm then runs nothing after it. */
export function fail(message) {
  console.error(`setup: ${message}`);
  process.exit(1);
}

/** True when the module at `url` is the script Node was started with (not imported by a test). */
export function isMain(url) {
  if (!process.argv[1]) return false;
  const real = (p) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  return real(fileURLToPath(url)) === real(process.argv[1]);
}
