// The real OpenSSH client as the oracle: `ssh -G` for the resolved options and `ssh -v` (with a
// ProxyCommand that exits at once, so nothing is contacted) for the expanded identity files.
import { execFile, execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface OracleRun {
  /** ssh's exit status was 0. */
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/** How ssh is run: with `-F file`, or reading ~/.ssh/config and /etc/ssh/ssh_config from a private mount namespace. */
export type OracleMode =
  | { readonly kind: 'file'; readonly config: string }
  | { readonly kind: 'default-files'; readonly home: string; readonly etc: string };

/** `ssh -V` (printed on stderr), or undefined when there is no ssh client. */
export function sshVersion(): string | undefined {
  const r = spawnSync('ssh', ['-V'], { encoding: 'utf8' });
  return r.status === 0 ? `${r.stderr}${r.stdout}`.trim() : undefined;
}

/** The password database's home directory, which ssh uses for `~` and %d (not $HOME). */
export const PW_DIR = os.userInfo().homedir;

/**
 * Whether ssh can be shown a private home and /etc/ssh: a mount namespace where bind mounts
 * cover the real ones (needs root, or an unprivileged user namespace).
 */
export function namespaceCommand(): string[] | undefined {
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-ns-'));
  const candidates = process.getuid?.() === 0 ? [['unshare', '-m']] : [['unshare', '-U', '--map-current-user', '-m']];
  try {
    for (const cmd of candidates) {
      try {
        execFileSync(cmd[0], [...cmd.slice(1), 'sh', '-c', 'mount --bind "$1" "$2"', 'sh', probe, PW_DIR], { stdio: 'ignore', timeout: 5000 });
        return cmd;
      } catch {
        // try the next way
      }
    }
    return undefined;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<OracleRun> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: 15000, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ ok: !err, stdout, stderr });
    });
  });
}

/** Runs `ssh <args>` in the given mode. */
export function runSsh(mode: OracleMode, sshArgs: string[], env: NodeJS.ProcessEnv, ns: string[] | undefined): Promise<OracleRun> {
  if (mode.kind === 'file') return run('ssh', ['-F', mode.config, ...sshArgs], env);
  if (!ns) throw new Error('no mount namespace available');
  const script = 'mount --bind "$1" "$3" && mount --bind "$2" /etc/ssh && shift 3 && exec ssh "$@"';
  return run(ns[0], [...ns.slice(1), 'sh', '-c', script, 'sh', mode.home, mode.etc, PW_DIR, ...sshArgs], { ...env, HOME: PW_DIR });
}

/** `ssh -G` output as keyword → one string per line. */
export function parseSshG(stdout: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of stdout.split('\n')) {
    const m = /^(\S+) (.*)$/.exec(line);
    if (m) (out[m[1].toLowerCase()] ??= []).push(m[2]);
  }
  return out;
}

/** The identity files `ssh -v` reports loading, without the `-cert` companions it adds itself. */
export function parseIdentityFiles(stderr: string): string[] {
  const files: string[] = [];
  for (const line of stderr.split('\n')) {
    const m = /^debug1: identity file (.*) type -?\d+\r?$/.exec(line);
    if (!m) continue;
    if (files.length > 0 && m[1] === `${files[files.length - 1]}-cert`) continue;
    files.push(m[1]);
  }
  return files;
}

/** Arguments that make `ssh -v` resolve everything and stop before any network traffic. */
export const IDENTITY_PROBE_ARGS = ['-v', '-T', '-n', '-o', 'ProxyCommand=true', '-o', 'BatchMode=yes', '-o', 'ControlMaster=no', '-o', 'ControlPath=none', '-o', 'ClearAllForwardings=yes'];

/** Runs async jobs with at most `limit` at a time. */
export async function inBatches<T>(jobs: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}
