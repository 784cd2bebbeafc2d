// terminal bench: our pseudoterminal path (SandboxPseudoterminal over the pooled connection's
// PTY channel, terminalClient.ts, bundled as shipped: ssh2 without its native addon) against
// OpenSSH `ssh -tt` on one freshly started local sshd, in the same run. This process reads
// both: our pseudoterminal's text as VS Code would get it, and ssh's output through a streaming
// UTF-8 decoder (what any terminal does with it), so both sides pay for turning bytes into text.
// The remote login shell is bash with a recognisable prompt set in ~/.profile.
//
//   terminal.echo_p50 / _p99   one key typed → its echo back, in a session running
//                              `stty -icanon; cat >/dev/null` (the remote tty echoes each key);
//                              per-round percentile of --keys keystrokes per side, typed
//                              alternately into ours and ssh's; goal p50 ratio >= 0.83, p99 <= 2 ms
//   terminal.cat_<N>MiB        `cat` of an N MiB text file at the prompt of an open terminal
//                              until the `echo DONE` after it shows, vs the same typed into an
//                              open `ssh -tt` session (connect time is left out of both)
//   terminal.prompt            a new terminal on the already connected host until its prompt,
//                              vs a new `ssh -tt host` process until its prompt
//   terminal.*_tmux            the same with our terminal in its own tmux session (what the
//                              editor opens when the sandbox has tmux) vs the same plain ssh -tt
//
//   npm run bench -- terminal [--size MiB (default 100)] [--keys N (default 500)] [--rounds N (default 5)] [--verbose]
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TextDecoder } from 'util';
import type * as TerminalClient from './terminalClient';
import { interleave, loadShippedBundle, median, MiB, metric, numberArg, report, settle } from './common';
import { killAndWait, track } from '../support/processes';
import { startSshd, Sshd } from '../support/sshd';

const ALIAS = 'bench';
const PROMPT = /sbx-bench:[^\r\n]*[$#] /;
/** How long any one wait may take before the bench gives up (a hang is a failure, not a number). */
const WAIT_MS = 120_000;

/** A terminal-like session: what is typed, and the text that comes back. */
interface Session {
  type(text: string): void;
  readonly out: Output;
  close(): Promise<void>;
}

/** The last few KiB of a session's text, and one pending wait on it. */
class Output {
  private tail = '';
  private waiter: { test: (tail: string) => boolean; resolve: () => void } | undefined;

  push(text: string): void {
    this.tail += text;
    if (this.tail.length > 8192) this.tail = this.tail.slice(-8192);
    if (this.waiter?.test(this.tail)) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve();
    }
  }

  /** Forgets what came so far: the next wait only sees text that comes after this. */
  clear(): void {
    this.tail = '';
  }

  /** Resolves as soon as the text since the last clear() matches. */
  waitFor(pattern: RegExp | string, what: string): Promise<void> {
    const test = typeof pattern === 'string' ? (t: string) => t.includes(pattern) : (t: string) => pattern.test(t);
    if (test(this.tail)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no ${what} within ${WAIT_MS} ms; last text: ${JSON.stringify(this.tail.slice(-300))}`));
      }, WAIT_MS);
      this.waiter = {
        test,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
  }
}

function ours(host: TerminalClient.ConnectedHost, inTmux = false): Session {
  const t = host.openTerminal(80, 24, inTmux);
  const out = new Output();
  t.onText((text) => out.push(text));
  return { type: (text) => t.type(text), out, close: async () => t.close() };
}

/** `ssh -tt host`: a remote PTY and login shell, as typed into a local terminal. */
function openssh(cfg: string): Session {
  const child: ChildProcess = track(spawn('ssh', ['-F', cfg, '-tt', ALIAS], { stdio: ['pipe', 'pipe', 'ignore'] }));
  const out = new Output();
  const decoder = new TextDecoder('utf-8');
  child.stdout!.on('data', (d: Buffer) => out.push(decoder.decode(d, { stream: true })));
  child.stdin!.on('error', () => undefined);
  return {
    type: (text) => void child.stdin!.write(text),
    out,
    close: () => killAndWait(child),
  };
}

type Side = 'ours' | 'base';
const SIDES: readonly Side[] = ['ours', 'base'];
const REVERSED: readonly Side[] = ['base', 'ours'];

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

/** Seconds from asking for a session until its prompt shows; the session is closed after. */
async function toPrompt(open: () => Session): Promise<number> {
  settle();
  const start = process.hrtime.bigint();
  const s = open();
  await s.out.waitFor(PROMPT, 'prompt');
  const took = seconds(start);
  await s.close();
  return took;
}

/** A session at its prompt, switched to a remote tty that echoes each key (no line editing) into `cat`. */
async function echoSession(s: Session): Promise<Session> {
  await s.out.waitFor(PROMPT, 'prompt');
  s.out.clear();
  s.type("stty -icanon; echo RE''ADY; exec cat >/dev/null\r");
  await s.out.waitFor('READY', 'READY from the echo session');
  return s;
}

/** Seconds for one key: type it, wait for its echo. */
async function echoOnce(s: Session): Promise<number> {
  s.out.clear();
  const start = process.hrtime.bigint();
  s.type('k');
  await s.out.waitFor('k', 'echo of a key');
  return seconds(start);
}

/**
 * `keys` keystrokes on each side, interleaved key by key (who types first alternates), so a
 * burst of load on this shared machine hits both sides alike instead of one side's block.
 */
async function echoTimes(sessions: Record<Side, Session>, keys: number): Promise<Record<Side, number[]>> {
  const times: Record<Side, number[]> = { ours: [], base: [] };
  for (let i = 0; i < keys; i++) {
    for (const side of i % 2 ? SIDES : REVERSED) times[side].push(await echoOnce(sessions[side]));
  }
  return times;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/** Seconds from typing `cat file; echo DONE` at the prompt until DONE shows; waits for the prompt after (untimed). */
async function catTime(s: Session, file: string): Promise<number> {
  s.out.clear();
  settle();
  const start = process.hrtime.bigint();
  s.type(`cat ${file}; echo DO''NE\r`);
  await s.out.waitFor(/^DONE\r?$/m, 'DONE after cat');
  const took = seconds(start);
  await s.out.waitFor(/DONE[\s\S]*sbx-bench:[^\r\n]*[$#] /, 'prompt after cat');
  return took;
}

/** An ASCII text file of `bytes` bytes: 64-byte lines without the word DONE. */
function writeTextFile(file: string, bytes: number): void {
  const line = 'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789\n'.slice(-64);
  const block = Buffer.from(line.repeat(MiB / 64));
  const fd = fs.openSync(file, 'w');
  try {
    for (let left = bytes; left > 0; left -= block.length) fs.writeSync(fd, block, 0, Math.min(block.length, left));
  } finally {
    fs.closeSync(fd);
  }
}

export async function run(argv: string[] = process.argv.slice(2)): Promise<void> {
  const size = numberArg(argv, 'size', 100);
  const keys = Math.max(100, numberArg(argv, 'keys', 500));
  const rounds = Math.max(1, numberArg(argv, 'rounds', 5));
  const verbose = argv.includes('--verbose');
  const loadBefore = os.loadavg()[0].toFixed(2);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-bench-terminal-'));
  let sshd: Sshd | undefined;
  let host: TerminalClient.ConnectedHost | undefined;
  const sessions: Session[] = [];
  try {
    const client = await loadShippedBundle<typeof TerminalClient>('test/bench/terminalClient.ts', work);
    if (client.nativeAddonLoaded()) throw new Error('the bench bundle loaded ssh2 native addon; it must measure the shipped pure-JS path');
    sshd = await startSshd();
    const server = sshd;
    fs.writeFileSync(path.join(server.dir, 'home', '.profile'), "PS1='sbx-bench:\\w\\$ '\n");
    const cfg = server.writeClientConfig(ALIAS, ['BatchMode yes', 'Compression no', 'ControlMaster no', 'ControlPath none', 'LogLevel error']);
    const big = path.join(server.root, 'big.txt');
    const warm = path.join(server.root, 'warm.txt');
    writeTextFile(big, size * MiB);
    writeTextFile(warm, 8 * MiB);
    host = await client.connectedHost(server);
    const connected = host;

    const open = { ours: () => ours(connected), base: () => openssh(cfg) };
    // Our terminal in its own tmux session, against the same plain ssh -tt.
    const openTmux = { ours: () => ours(connected, true), base: open.base };
    const start = (s: Session) => (sessions.push(s), s);
    const echo = { ours: await echoSession(start(open.ours())), base: await echoSession(start(open.base())) };
    const echoTmux = { ours: await echoSession(start(openTmux.ours())), base: echo.base };
    const shell = { ours: start(open.ours()), base: start(open.base()) };
    await shell.ours.out.waitFor(PROMPT, 'prompt');
    await shell.base.out.waitFor(PROMPT, 'prompt');

    const p50 = metric('terminal.echo_p50', `ssh -tt session, same keys (per-round p50 of ${keys}; remote tty echo into cat)`);
    const p99 = metric('terminal.echo_p99', `ssh -tt session, same keys (per-round p99 of ${keys}); goal ours <= 0.002 s`);
    const cat = metric(`terminal.cat_${size}MiB`, `cat + echo DONE typed into an open ssh -tt session (text decoded as ours is)`, size * MiB);
    const prompt = metric('terminal.prompt', 'new ssh -tt host process to its prompt (ours: new terminal on the connected host)');
    const p50Tmux = metric('terminal.echo_p50_tmux', `ssh -tt session, same keys (per-round p50 of ${keys}); ours in its tmux session`);
    const p99Tmux = metric('terminal.echo_p99_tmux', `ssh -tt session, same keys (per-round p99 of ${keys}); ours in its tmux session`);
    const promptTmux = metric('terminal.prompt_tmux', 'new ssh -tt host process to its prompt (ours: new terminal in a new tmux session on the connected host)');
    const all: Record<Side, number[]> = { ours: [], base: [] };

    // One untimed round: JIT, page cache, sshd's first forks.
    await echoTimes(echo, 50);
    for (const side of SIDES) {
      await catTime(shell[side], warm);
      await toPrompt(open[side]);
    }
    await echoTimes(echoTmux, 50);
    await toPrompt(openTmux.ours);
    await interleave(rounds, async (n) => {
      // Who goes first alternates: A B, B A, …
      const order = n % 2 ? SIDES : REVERSED;
      const times = await echoTimes(echo, keys);
      for (const side of SIDES) {
        all[side].push(...times[side]);
        (side === 'ours' ? p50.ours : p50.baseline).push(percentile(times[side], 50));
        (side === 'ours' ? p99.ours : p99.baseline).push(percentile(times[side], 99));
      }
      for (const side of order) (side === 'ours' ? cat.ours : cat.baseline).push(await catTime(shell[side], big));
      for (const side of order) (side === 'ours' ? prompt.ours : prompt.baseline).push(await toPrompt(open[side]));
      const timesTmux = await echoTimes(echoTmux, keys);
      p50Tmux.ours.push(percentile(timesTmux.ours, 50));
      p50Tmux.baseline.push(percentile(timesTmux.base, 50));
      p99Tmux.ours.push(percentile(timesTmux.ours, 99));
      p99Tmux.baseline.push(percentile(timesTmux.base, 99));
      for (const side of order) (side === 'ours' ? promptTmux.ours : promptTmux.baseline).push(await toPrompt(openTmux[side]));
    });
    const ms = (v: number) => (v * 1000).toFixed(3);
    report(
      `\nterminal bench: ${rounds} rounds, medians; ssh2 without native addon; node ${process.version}; ${os.cpus().length} CPUs; 1-min load before start ${loadBefore}; ratio = base/ours (> 1: ours faster)\n` +
        `keystroke echo over all rounds (ms): ours p50 ${ms(percentile(all.ours, 50))} p99 ${ms(percentile(all.ours, 99))} max ${ms(Math.max(...all.ours))}; ` +
        `ssh -tt p50 ${ms(percentile(all.base, 50))} p99 ${ms(percentile(all.base, 99))} max ${ms(Math.max(...all.base))}; median of round p50s ours ${ms(median(p50.ours))}`,
      [p50, p99, cat, prompt, p50Tmux, p99Tmux, promptTmux],
      rounds,
      verbose,
    );
  } finally {
    for (const s of sessions) await s.close().catch(() => undefined);
    await host?.close().catch(() => undefined);
    await sshd?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
