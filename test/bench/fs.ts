// fs bench: SftpSession against OpenSSH's own tools on a fresh local sshd, in the shipped
// configuration (ssh2 bundled by esbuild without its native addon; see shared/PERF.md).
// Rounds interleave ours and the baseline (A B A B …); medians are reported. OpenSSH
// baselines start a new process each time, so their connect time (an `sftp`/`ssh` session
// that does nothing, measured in the same round) is subtracted; ours reuse one connection.
// An untimed `sync` precedes every timed step: the remote disk is this machine's, and the
// writeback of one step's dirty pages (sftp put leaves 512 MiB of them; our save fsyncs,
// which is timed) must not land inside the next step's time.
//
//   npm run bench -- fs (or: npx tsc -p test/tsconfig.json && node out/test/bench/fs.js) [--size MiB] [--rounds N]
//     [--entries N] [--nagle-size MiB (0 skips the SSH FS-as-shipped line)] [--pin] [--verbose]
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
import { interleave, loadShippedBundle, metric, MiB, numberArg, report, time, timeProcess } from './common';
import { startSshd, Sshd } from '../support/sshd';

interface Args {
  sizeMiB: number;
  rounds: number;
  entries: number;
  nagleSizeMiB: number;
  pin: boolean;
  verbose: boolean;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string, fallback: number) => numberArg(argv, name, fallback);
  return { sizeMiB: get('size', 512), rounds: Math.max(1, get('rounds', 5)), entries: get('entries', 10_000), nagleSizeMiB: get('nagle-size', 8), pin: argv.includes('--pin'), verbose: argv.includes('--verbose') };
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

    const m = metric;
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
    await interleave(args.rounds, async () => {
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
      save.baseline.push((await sftpCmd(`put ${local} ${path.join(sshd!.root, 'saved-put.bin')}\n`)) - sftpNoop);

      readdir.ours.push(await time(async () => check((await ours.session.readdir(dir)).length, args.entries, 'readdir')));
      readdir.baseline.push((await sftpCmd(`ls -l ${dir}\n`)) - sftpNoop);
    });
    if (fs.statSync(path.join(sshd.root, 'saved-ours.bin')).size !== size) throw new Error('safe save wrote the wrong size');

    report(
      `\nfs bench: ${args.sizeMiB} MiB files, ${args.entries} entries, ${args.rounds} rounds, medians; ssh2 without native addon; node ${process.version}; ${os.cpus().length} CPUs${args.pin ? ' (pinned: sshd on 1, client on 0)' : ''}; 1-min load before start ${loadBefore}`,
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
