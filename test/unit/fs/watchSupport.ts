// What the watcher tests against real sshd share: whether inotifywait is here, how many of
// them the test's own sshd runs for a folder, and waiting for a condition.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { descendants } from '../../support/sshd';

export const hasInotifywait = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v inotifywait'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** inotifywait processes under the test's sshd (`sshdPid`) watching something under `dir`. */
export function inotifywaitsUnder(sshdPid: number | undefined, dir: string): number {
  return descendants(sshdPid).filter((pid) => {
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return argv[0] === 'inotifywait' && argv.some((a) => a.includes(dir));
    } catch {
      return false; // ended meanwhile
    }
  }).length;
}

/** Waits until `probe` holds (for conditions nothing announces, like a process that ends). */
export async function until(what: string, probe: () => boolean, ms = 10000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
