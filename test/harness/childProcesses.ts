// External processes of the harness (npm, code-server, vsce, editors). Each one runs in
// its own process group (detached), so stopping it by its PID also stops what it spawned
// (node-gyp, the extension host, file watchers). Every run has a timeout: a wrong browser
// or build makes these tools hang rather than fail.
import { ChildProcess, spawn, SpawnOptions } from 'child_process';
import * as fs from 'fs';

const groups = new Map<number, string>();

export class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not finish within ${Math.round(ms / 1000)} s`);
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* group already gone */
  }
}

/** SIGTERM to the group led by `pid`, SIGKILL after `graceMs`; resolves when no member is left. */
export async function stopGroup(pid: number, graceMs = 5000): Promise<void> {
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) await sleep(50);
  if (groupAlive(pid)) signalGroup(pid, 'SIGKILL');
  const hardDeadline = Date.now() + 5000;
  while (groupAlive(pid) && Date.now() < hardDeadline) await sleep(50);
  groups.delete(pid);
}

export interface Started {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<number | null>;
  stop(graceMs?: number): Promise<void>;
}

/** Starts `command` as the leader of a new process group, tracked until stopped. */
export function startGroup(command: string, args: string[], options: SpawnOptions & { label: string }): Started {
  const { label, ...spawnOptions } = options;
  const child = spawn(command, args, { ...spawnOptions, detached: true });
  if (child.pid === undefined) {
    // spawn reports ENOENT asynchronously; surface it now, with the tool's name.
    child.once('error', () => undefined);
    throw new Error(`could not start ${label} (${command})`);
  }
  const pid = child.pid;
  groups.set(pid, label);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(-1));
  });
  return { child, pid, exited, stop: (graceMs) => stopGroup(pid, graceMs) };
}

export interface RunResult {
  code: number | null;
  output: string;
}

/**
 * Runs a command to completion with a timeout. Output goes to `logFile` (and the console
 * when `echo`); the last lines are in the error when it fails or times out.
 */
export async function runCommand(
  command: string,
  args: string[],
  options: { label: string; timeoutMs: number; env?: NodeJS.ProcessEnv; cwd?: string; echo?: boolean; logFile?: string; allowFailure?: boolean },
): Promise<RunResult> {
  const started = startGroup(command, args, { label: options.label, env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const log = options.logFile ? fs.createWriteStream(options.logFile) : undefined;
  const onData = (d: Buffer) => {
    output += d.toString();
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
    log?.write(d);
    if (options.echo) process.stdout.write(d);
  };
  started.child.stdout?.on('data', onData);
  started.child.stderr?.on('data', onData);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), options.timeoutMs)));
  const result = await Promise.race([started.exited, timedOut]);
  clearTimeout(timer);
  await started.stop(2000);
  await new Promise<void>((resolve) => (log ? log.end(resolve) : resolve()));
  if (result === 'timeout') throw new Error(`${new TimeoutError(options.label, options.timeoutMs).message}\n${tail(output)}`);
  if (result !== 0 && !options.allowFailure) throw new Error(`${options.label} failed (exit code ${result})\n${tail(output)}`);
  return { code: result, output };
}

export function tail(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Rejects with a TimeoutError when `promise` takes longer than `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** PIDs of groups started here and not yet stopped: a teardown check. */
export function runningGroups(): Array<{ pid: number; label: string }> {
  return [...groups].filter(([pid]) => groupAlive(pid)).map(([pid, label]) => ({ pid, label }));
}

// A launcher that dies must not leave code-server or npm behind: detached groups do not
// get the terminal's Ctrl-C, so they are killed here on exit.
process.once('exit', () => {
  for (const pid of groups.keys()) signalGroup(pid, 'SIGKILL');
});

/**
 * Runs `cleanup` once on SIGINT/SIGTERM/SIGHUP, then exits with 130/143. Returns a function
 * that removes the handlers.
 */
export function onInterrupt(cleanup: () => Promise<void>): () => void {
  let running = false;
  const handler = (signal: NodeJS.Signals) => {
    if (running) return;
    running = true;
    process.stderr.write(`\n${signal}: stopping everything this run started…\n`);
    const hardExit = setTimeout(() => process.exit(1), 20000);
    cleanup()
      .catch((e) => process.stderr.write(`cleanup failed: ${e}\n`))
      .finally(() => {
        clearTimeout(hardExit);
        process.exit(signal === 'SIGINT' ? 130 : 143);
      });
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  signals.forEach((s) => process.on(s, handler));
  return () => signals.forEach((s) => process.off(s, handler));
}
