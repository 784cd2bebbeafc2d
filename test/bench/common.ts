// What every bench suite shares: loading our code the way it ships (an esbuild bundle with
// ssh2's native addon left out), timing steps and OpenSSH processes, interleaved rounds,
// medians, and the output format of the connection-core issue: a readable table, then one
// `BENCH {...}` line per metric.
import { spawn, spawnSync } from 'child_process';
import * as esbuild from 'esbuild';
import * as path from 'path';

export const MiB = 1024 * 1024;
export const ROOT = path.resolve(__dirname, '../../..');

/** Same as esbuild.mjs: native-addon requires become modules that throw, as in the shipped bundle. */
const noNativeAddons: esbuild.Plugin = {
  name: 'no-native-addons',
  setup(build) {
    build.onResolve({ filter: /(^cpu-features$)|(\.node$)/ }, (args) => ({ path: args.path, namespace: 'missing-native' }));
    build.onLoad({ filter: /.*/, namespace: 'missing-native' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`native addon ${args.path} is not bundled`)});`,
      loader: 'js',
    }));
  },
};

/** Bundles `entry` (relative to the repo root) into `dir` as the extension is bundled, and loads it. */
export async function loadShippedBundle<T>(entry: string, dir: string): Promise<T> {
  const outfile = path.join(dir, `${path.basename(entry, path.extname(entry))}.bundle.js`);
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(ROOT, entry)],
    bundle: true,
    outfile,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['vscode'],
    logLevel: 'warning',
    plugins: [noNativeAddons],
  });
  return require(outfile) as T;
}

/** Reads a numeric `--name N` / `--name=N` option. */
export function numberArg(argv: string[], name: string, fallback: number): number {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return fallback;
  const raw = argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} wants a number, got ${raw}`);
  return n;
}

/** An untimed `sync`: earlier steps' writeback must not land inside the next timed step. */
export function settle(): void {
  spawnSync('sync');
}

/** Seconds `fn` takes, after settle(). */
export async function time(fn: () => Promise<unknown>): Promise<number> {
  settle();
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Runs an OpenSSH client to completion (stdout discarded); seconds from spawn to exit. */
export function timeProcess(cmd: string, args: string[], input = ''): Promise<number> {
  settle();
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const s = Number(process.hrtime.bigint() - start) / 1e9;
      if (code === 0) resolve(s);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr}`));
    });
    child.stdin!.end(input);
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Metric {
  name: string;
  base: string;
  /** Bytes moved, for the MiB/s columns; 0 where a rate means nothing. */
  bytes: number;
  ours: number[];
  /** Empty where there is no baseline: base_s and ratio are then null. */
  baseline: number[];
}

export function metric(name: string, base: string, bytes = 0): Metric {
  return { name, base, bytes, ours: [], baseline: [] };
}

/** Runs `round` 1..rounds times (each round measures ours and the baseline, A B A B …). */
export async function interleave(rounds: number, round: (n: number) => Promise<void>): Promise<void> {
  for (let n = 1; n <= rounds; n++) {
    await round(n);
    process.stderr.write(`round ${n}/${rounds} done\n`);
  }
}

/** Prints `title`, the readable table (rate columns only if some metric moves bytes), raw values if verbose, then the BENCH lines. */
export function report(title: string, metrics: Metric[], rounds: number, verbose: boolean): void {
  const rate = (bytes: number, s: number | null) => (bytes && s !== null ? `${(bytes / MiB / s).toFixed(0)} MiB/s` : '');
  const rates = metrics.some((x) => x.bytes > 0);
  const rows = metrics.map((x) => {
    const o = median(x.ours);
    const b = x.baseline.length ? median(x.baseline) : null;
    return { x, o, b, ratio: b === null ? null : b / o };
  });
  const width = Math.max(26, ...metrics.map((x) => x.name.length));
  // Sub-millisecond metrics (keystroke echo) keep three significant digits instead of rounding to 0.0003.
  const small = (v: number) => Math.abs(v) < 0.01 && v !== 0;
  const fixed = (v: number | null, digits: number) => (v === null ? '—' : small(v) ? v.toPrecision(3) : v.toFixed(digits));
  console.log(title);
  console.log(['metric'.padEnd(width), 'ours s'.padStart(9), 'base s'.padStart(9), ...(rates ? ['ours'.padStart(11), 'base'.padStart(11)] : []), 'ratio'.padStart(7), '  baseline'].join(' '));
  for (const { x, o, b, ratio } of rows) {
    const rateCells = rates ? [rate(x.bytes, o).padStart(11), rate(x.bytes, b).padStart(11)] : [];
    console.log([x.name.padEnd(width), fixed(o, 4).padStart(9), fixed(b, 4).padStart(9), ...rateCells, fixed(ratio, 3).padStart(7), `  ${x.base}`].join(' '));
  }
  if (verbose) {
    for (const { x } of rows) console.log(`${x.name}: ours ${x.ours.map((v) => fixed(v, 3)).join(' ')} | base ${x.baseline.map((v) => fixed(v, 3)).join(' ')}`);
  }
  const round = (v: number | null, digits: number) => (v === null ? null : small(v) ? +v.toPrecision(3) : +v.toFixed(digits));
  for (const { x, o, b, ratio } of rows) {
    console.log(`BENCH ${JSON.stringify({ name: x.name, ours_s: round(o, 4), base_s: round(b, 4), base: x.base, ratio: round(ratio, 3), rounds })}`);
  }
}
