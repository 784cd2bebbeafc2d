// What the watcher tests against real sshd share: whether inotifywait is here, how many of
// them watch a folder, and waiting for a condition.
import { execFileSync } from 'child_process';

export const hasInotifywait = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v inotifywait'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** inotifywait processes watching something under `dir`. */
export function inotifywaitsUnder(dir: string): number {
  const out = execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.startsWith('inotifywait') && l.includes(dir)).length;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(what: string, probe: () => boolean, ms = 10000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
