// fs bench: SftpSession against OpenSSH's own tools on a fresh local sshd, in the shipped
// configuration (ssh2 bundled by esbuild without its native addon; see shared/PERF.md).
// Rounds interleave ours and the baseline (A B A B …); medians are reported. OpenSSH
// baselines start a new process each time, so their connect time (an `sftp`/`ssh` session
// that does nothing, measured in the same round) is subtracted; ours reuse one connection.
// An untimed `sync` precedes every timed step: the remote disk is this machine's, and the
// writeback of one step's dirty pages (sftp put leaves 512 MiB of them; our save fsyncs,
// which is timed) must not land inside the next step's time.
//
//   npx tsc -p test/tsconfig.json && node out/test/bench/fs.js [--size MiB] [--rounds N]
//     [--entries N] [--nagle-size MiB (0 skips the SSH FS-as-shipped line)] [--pin] [--verbose]
//
// --pin puts sshd on CPU 1 and this process (and the OpenSSH clients it starts) on CPU 0, as
// if client and server were separate machines; without it, on a 2-core box the three busy
// processes of a transfer (client, sshd, sftp-server) fight for two cores and deep write
// pipelines look worse than they are on a real link.
import { spawn, spawnSync } from 'child_process';
import { randomFillSync } from 'crypto';
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type * as FsClient from './fsClient';
import { startSshd, Sshd } from '../support/sshd';

const MiB = 1024 * 1024;
const ROOT = path.resolve(__dirname, '../../..');

interface Args {
  sizeMiB: number;
  rounds: number;
  entries: number;
  nagleSizeMiB: number;
  pin: boolean;
  verbose: boolean;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string, fallback: number) => {
    const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (i < 0) return fallback;
    const raw = argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} wants a number, got ${raw}`);
    return n;
  };
  return { sizeMiB: get('size', 512), rounds: Math.max(1, get('rounds', 5)), entries: get('entries', 10_000), nagleSizeMiB: get('nagle-size', 8), pin: argv.includes('--pin'), verbose: argv.includes('--verbose') };
}

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

async function loadShippedClient(dir: string): Promise<typeof FsClient> {
  const outfile = path.join(dir, 'fsClient.bundle.js');
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(ROOT, 'test/bench/fsClient.ts')],
    bundle: true,
    outfile,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['vscode'],
    logLevel: 'warning',
    plugins: [noNativeAddons],
  });
  return require(outfile) as typeof FsClient;
}

function settle(): void {
  spawnSync('sync');
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  settle();
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Runs an OpenSSH client to completion (stdout discarded); seconds from spawn to exit. */
function timeProcess(cmd: string, args: string[], input = ''): Promise<number> {
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

/** taskset -a: every thread (libuv pool, GC) of the process, and what it forks later. */
function pin(sshd: Sshd): void {
  if (os.cpus().length < 2) throw new Error('--pin needs two CPUs');
  for (const [cpu, pid] of [['1', sshd.pid], ['0', process.pid]] as const) {
    const r = spawnSync('taskset', ['-a', '-p', '-c', cpu, String(pid)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`taskset failed: ${r.stderr || r.error}`);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface Metric {
  name: string;
  base: string;
  /** Bytes moved, for the MiB/s columns; 0 for readdir. */
  bytes: number;
  ours: number[];
  baseline: number[];
}

export async function run(argv: string[] = process.argv.slice(2)): Promise<void> {
  const args = parseArgs(argv);
  const loadBefore = os.loadavg()[0].toFixed(2); // other work on this machine skews every number
  const size = Math.round(args.sizeMiB * MiB);
  const nagleSize = Math.round(args.nagleSizeMiB * MiB);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-bench-fs-'));
  let sshd: Sshd | undefined;
  const client = await loadShippedClient(work);
  const conns: FsClient.BenchConnection[] = [];
  try {
    if (client.nativeAddonLoaded()) throw new Error('the bench bundle loaded ssh2 native addon; it must measure the shipped pure-JS path');
    sshd = await startSshd();
    if (args.pin) pin(sshd);
    const cfg = sshd.writeClientConfig('bench', ['BatchMode yes', 'Compression no', 'ControlMaster no', 'ControlPath none']);
    const sftpCmd = (input: string) => timeProcess('sftp', ['-q', '-b', '-', '-F', cfg, 'bench'], input);
    const sshCmd = (command: string) => timeProcess('ssh', ['-F', cfg, 'bench', command]);

    // Fixtures, made locally (the sshd is this machine).
    const data = randomFillSync(Buffer.allocUnsafe(size));
    const big = path.join(sshd.root, 'big.bin');
    const small = path.join(sshd.root, 'small.bin');
    const local = path.join(work, 'upload.bin');
    fs.writeFileSync(big, data);
    fs.writeFileSync(local, data);
    fs.writeFileSync(small, data.subarray(0, Math.min(nagleSize, size)));
    const dir = path.join(sshd.root, 'many');
    fs.mkdirSync(dir);
    for (let i = 0; i < args.entries; i++) fs.writeFileSync(path.join(dir, `entry-${i}.txt`), '');

    const ours = await client.connect(sshd, true);
    conns.push(ours);
    const sshfs = await client.connect(sshd, true);
    conns.push(sshfs);
    const sshfsShipped = args.nagleSizeMiB > 0 ? await client.connect(sshd, false) : undefined;
    if (sshfsShipped) conns.push(sshfsShipped);

    const m = (name: string, base: string, bytes: number): Metric => ({ name, base, bytes, ours: [], baseline: [] });
    const read = m('fs.read', 'sftp get (net of connect)', size);
    const readCat = m('fs.read_vs_cat', 'ssh cat > /dev/null (net of connect)', size);
    const readSshFs = m('fs.read_vs_sshfs', 'ssh2 createReadStream, 1 in flight, noDelay (SSH FS at best)', size);
    const readSshFsShipped = m('fs.read_vs_sshfs_shipped', `ssh2 createReadStream, 1 in flight, no noDelay (SSH FS as shipped), ${args.nagleSizeMiB} MiB`, Math.min(nagleSize, size));
    const save = m('fs.safe_save', 'sftp put (net of connect)', size);
    const readdir = m('fs.readdir', 'sftp ls -l (net of connect)', 0);
    const metrics = [read, readCat, readSshFs, ...(sshfsShipped ? [readSshFsShipped] : []), save, readdir];

    const check = (n: number, want: number, what: string) => {
      if (n !== want) throw new Error(`${what}: got ${n} bytes/entries, expected ${want}`);
    };
    for (let round = 1; round <= args.rounds; round++) {
      const sftpNoop = await sftpCmd('');
      const sshNoop = await sshCmd('true');

      read.ours.push(await time(async () => check((await ours.session.readFile(big)).length, size, 'readFile')));
      read.baseline.push((await sftpCmd(`get ${big} /dev/null\n`)) - sftpNoop);
      readCat.ours.push(await time(async () => check((await ours.session.readFile(big)).length, size, 'readFile')));
      readCat.baseline.push((await sshCmd(`cat ${big}`)) - sshNoop);
      readSshFs.ours.push(await time(async () => check((await ours.session.readFile(big)).length, size, 'readFile')));
      readSshFs.baseline.push(await time(async () => check(await client.readLikeSshFs(sshfs.sftp, big), size, 'createReadStream')));
      if (sshfsShipped) {
        const n = Math.min(nagleSize, size);
        readSshFsShipped.ours.push(await time(async () => check((await ours.session.readFile(small)).length, n, 'readFile')));
        readSshFsShipped.baseline.push(await time(async () => check(await client.readLikeSshFs(sshfsShipped.sftp, small), n, 'createReadStream')));
      }

      save.ours.push(await time(() => ours.session.writeFileAtomic(path.join(sshd!.root, 'saved-ours.bin'), data)));
      save.baseline.push((await sftpCmd(`put ${local} ${path.join(sshd.root, 'saved-put.bin')}\n`)) - sftpNoop);

      readdir.ours.push(await time(async () => check((await ours.session.readdir(dir)).length, args.entries, 'readdir')));
      readdir.baseline.push((await sftpCmd(`ls -l ${dir}\n`)) - sftpNoop);
      process.stderr.write(`round ${round}/${args.rounds} done\n`);
    }
    if (fs.statSync(path.join(sshd.root, 'saved-ours.bin')).size !== size) throw new Error('safe save wrote the wrong size');

    const rate = (bytes: number, s: number) => (bytes ? `${(bytes / MiB / s).toFixed(0)} MiB/s` : '');
    const rows = metrics.map((x) => {
      const o = median(x.ours);
      const b = median(x.baseline);
      return { x, o, b, ratio: b / o };
    });
    console.log(`\nfs bench: ${args.sizeMiB} MiB files, ${args.entries} entries, ${args.rounds} rounds, medians; ssh2 without native addon; node ${process.version}; ${os.cpus().length} CPUs${args.pin ? ' (pinned: sshd on 1, client on 0)' : ''}; 1-min load before start ${loadBefore}`);
    console.log(['metric'.padEnd(26), 'ours s'.padStart(9), 'base s'.padStart(9), 'ours'.padStart(11), 'base'.padStart(11), 'ratio'.padStart(7), '  baseline'].join(' '));
    for (const { x, o, b, ratio } of rows) {
      console.log([x.name.padEnd(26), o.toFixed(4).padStart(9), b.toFixed(4).padStart(9), rate(x.bytes, o).padStart(11), rate(x.bytes, b).padStart(11), ratio.toFixed(3).padStart(7), `  ${x.base}`].join(' '));
    }
    if (args.verbose) {
      for (const { x } of rows) console.log(`${x.name}: ours ${x.ours.map((v) => v.toFixed(3)).join(' ')} | base ${x.baseline.map((v) => v.toFixed(3)).join(' ')}`);
    }
    for (const { x, o, b, ratio } of rows) {
      console.log(`BENCH ${JSON.stringify({ name: x.name, ours_s: +o.toFixed(4), base_s: +b.toFixed(4), base: x.base, ratio: +ratio.toFixed(3), rounds: args.rounds })}`);
    }
  } finally {
    for (const c of conns) await c.close().catch(() => undefined);
    await sshd?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
