// What this machine (the tests' sandbox) has installed.
import { execFileSync } from 'child_process';

/** A program `sh` finds on PATH. */
export function commandExists(name: string): boolean {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new RangeError(`not a program name: ${name}`);
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
