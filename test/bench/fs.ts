// fs bench: the extension's pooled connection and SftpSession against OpenSSH's own tools on a
// fresh local sshd, in the shipped configuration (ssh2 bundled by esbuild without its native
// addon; see shared/PERF.md).
// Each metric runs in a phase of its own, its rounds alternating ours and the baseline (A B,
// B A, …); medians are reported. OpenSSH baselines start a new process each time, so their
// connect time (an `sftp`/`ssh` session that does nothing, measured right after) is
// subtracted; ours reuse one pooled connection.
// An untimed `sync` precedes every timed step: the remote disk is this machine's, and the
// writeback of one step's dirty pages (sftp put leaves 512 MiB of them; our save fsyncs,
// which is timed) must not land inside the next step's time.
//
//   npm run bench -- fs (or: npx tsc -p test/tsconfig.json && node out/test/bench/fs.js) [--size MiB] [--rounds N]
//     [--entries N] [--nagle-size MiB (0 skips the SSH FS-as-shipped line)] [--pin] [--no-warmup] [--verbose]
//
// --pin puts sshd on CPU 1 and this process (and the OpenSSH clients it starts) on CPU 0, as
// if client and server were separate machines; without it, on a 2-core box the three busy
// processes of a transfer (client, sshd, sftp-server) fight for two cores and deep write
// pipelines look worse than they are on a real link.
import { spawnSync } from 'child_process';
import { randomFillSync } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type * as FsClient from './fsClient';
import { interleave, loadShippedBundle, Metric, metric, MiB, numberArg, report, time, timeProcess } from './common';
import { startSshd, Sshd } from '../support/sshd';

interface Args {
  sizeMiB: number;
  rounds: number;
  entries: number;
  nagleSizeMiB: number;
  pin: boolean;
  warmup: boolean;
  verbose: boolean;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string, fallback: number) => numberArg(argv, name, fallback);
  return { sizeMiB: get('size', 512), rounds: Math.max(1, get('rounds', 5)), entries: get('entries', 10_000), nagleSizeMiB: get('nagle-size', 8), pin: argv.includes('--pin'), warmup: !argv.includes('--no-warmup'), verbose: argv.includes('--verbose') };
}

/** taskset -a: every thread (libuv pool, GC) of the process, and what it forks later. */
function pin(sshd: Sshd): void {
  if (os.cpus().length < 2) throw new Error('--pin needs two CPUs');
  for (const [cpu, pid] of [['1', sshd.pid], ['0', process.pid]] as const) {
    const r = spawnSync('taskset', ['-a', '-p', '-c', cpu, String(pid)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`taskset failed: ${r.stderr || r.error}`);
  }
}

export async function run(argv: string[] = process.argv.slice(2)): Promise<void> {
  const args = parseArgs(argv);
  const loadBefore = os.loadavg()[0].toFixed(2); // other work on this machine skews every number
  const size = Math.round(args.sizeMiB * MiB);
  const nagleSize = Math.round(args.nagleSizeMiB * MiB);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-bench-fs-'));
  let sshd: Sshd | undefined;
  const client = await loadShippedBundle<typeof FsClient>('test/bench/fsClient.ts', work);
  const conns: { close(): Promise<void> }[] = [];
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

    const ours = await client.pooledHost(sshd);
    conns.push(ours);
    const sshfs = await client.connect(sshd, true);
    conns.push(sshfs);
    const sshfsShipped = args.nagleSizeMiB > 0 ? await client.connect(sshd, false) : undefined;
    if (sshfsShipped) conns.push(sshfsShipped);

    const m = metric;
    const read = m('fs.read', 'sftp get (net of connect)', size);
    const readCat = m('fs.read_vs_cat', 'ssh cat > /dev/null (net of connect)', size);
    const readSshFs = m('fs.read_vs_sshfs', 'ssh2 createReadStream, 1 in flight, noDelay (SSH FS at best)', size);
    const readSshFsShipped = m('fs.read_vs_sshfs_shipped', `ssh2 createReadStream, 1 in flight, no noDelay (SSH FS as shipped), ${args.nagleSizeMiB} MiB`, Math.min(nagleSize, size));
    const save = m('fs.safe_save', 'sftp put (net of connect)', size);
    const saveUncoalesced = m('fs.safe_save_vs_uncoalesced', 'same SftpSession on a bare ssh2 client, noDelay, writes not coalesced', size);
    const readdir = m('fs.readdir', 'sftp ls -l (net of connect)', 0);
    const metrics = [read, readCat, readSshFs, ...(sshfsShipped ? [readSshFsShipped] : []), save, saveUncoalesced, readdir];

    const check = (n: number, want: number, what: string) => {
      if (n !== want) throw new Error(`${what}: got ${n} bytes/entries, expected ${want}`);
    };
    const readBig = async () => check((await ours.session.readFile(big)).length, size, 'readFile');
    const n = Math.min(nagleSize, size);
    // Each metric gets a phase of its own, so one workload's leftovers (hundreds of MiB of
    // buffers to collect, dirty pages) do not land in another's time; within a phase ours and
    // the baseline alternate which goes first (A B, B A, …).
    const phases: { metric: Metric; ours: () => Promise<number>; baseline: () => Promise<number> }[] = [
      { metric: read, ours: () => time(readBig), baseline: async () => (await sftpCmd(`get ${big} /dev/null\n`)) - (await sftpCmd('')) },
      { metric: readCat, ours: () => time(readBig), baseline: async () => (await sshCmd(`cat ${big}`)) - (await sshCmd('true')) },
      { metric: readSshFs, ours: () => time(readBig), baseline: () => time(async () => check(await client.readLikeSshFs(sshfs.sftp, big), size, 'createReadStream')) },
      ...(sshfsShipped
        ? [{
            metric: readSshFsShipped,
            ours: () => time(async () => check((await ours.session.readFile(small)).length, n, 'readFile')),
            baseline: () => time(async () => check(await client.readLikeSshFs(sshfsShipped.sftp, small), n, 'createReadStream')),
          }]
        : []),
      {
        metric: save,
        ours: () => time(() => ours.session.writeFileAtomic(path.join(sshd!.root, 'saved-ours.bin'), data)),
        baseline: async () => (await sftpCmd(`put ${local} ${path.join(sshd!.root, 'saved-put.bin')}\n`)) - (await sftpCmd('')),
      },
      {
        metric: saveUncoalesced,
        ours: () => time(() => ours.session.writeFileAtomic(path.join(sshd!.root, 'saved-ours.bin'), data)),
        baseline: () => time(() => sshfs.session.writeFileAtomic(path.join(sshd!.root, 'saved-bare.bin'), data)),
      },
      {
        metric: readdir,
        ours: () => time(async () => check((await ours.session.readdir(dir)).length, args.entries, 'readdir')),
        baseline: async () => (await sftpCmd(`ls -l ${dir}\n`)) - (await sftpCmd('')),
      },
    ];
    for (const phase of phases) {
      process.stderr.write(`${phase.metric.name}: `);
      // One untimed round first: JIT, first use of each path, memory the VM never touched yet.
      if (args.warmup) await phase.ours().then(phase.baseline);
      await interleave(args.rounds, async (round) => {
        if (round % 2) {
          phase.metric.ours.push(await phase.ours());
          phase.metric.baseline.push(await phase.baseline());
        } else {
          phase.metric.baseline.push(await phase.baseline());
          phase.metric.ours.push(await phase.ours());
        }
      });
    }
    if (fs.statSync(path.join(sshd.root, 'saved-ours.bin')).size !== size) throw new Error('safe save wrote the wrong size');

    report(
      `\nfs bench: ${args.sizeMiB} MiB files, ${args.entries} entries, ${args.rounds} rounds${args.warmup ? ' after 1 untimed warm-up' : ''} per metric, medians; ssh2 without native addon; node ${process.version}; ${os.cpus().length} CPUs${args.pin ? ' (pinned: sshd on 1, client on 0)' : ''}; 1-min load before start ${loadBefore}`,
      metrics,
      args.rounds,
      args.verbose,
    );
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
