// connect bench: our ConnectionPool (src/ssh/pool.ts) against OpenSSH's own clients on one
// freshly started local sshd, in the shipped configuration (ssh2 bundled by esbuild without
// its native addon; see shared/PERF.md). Rounds interleave ours and the baseline
// (A B A B …); medians are reported.
//
//   connect.sftp_ready          new pool → TCP → handshake → host key check → key auth → SFTP
//                               ready → closed again, vs a new `ssh host true` process (the
//                               issue's baseline; it runs a shell where we open a subsystem)
//   connect.sftp_ready_vs_sftp  the same, vs a new `sftp -b /dev/null host` (an SFTP session that does nothing)
//   connect.stat_1000           1,000 sequential `stat`s over one SftpSession; no OpenSSH equivalent
//   connect.stat_1000_vs_sftp_df  the same vs an `sftp -b` batch of 1,000 `df` lines (one
//                               statvfs@openssh.com request each; `ls <file>` costs two requests,
//                               lstat + users-groups-by-id), net of an idle sftp session's time
//   connect.exec_roundtrip      `true` over an exec channel of the pooled connection vs
//                               `ssh host true` multiplexed over a ControlMaster
//
//   npm run bench -- connect [--rounds N (default 7, at least 5)] [--stats N] [--verbose]
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type * as ConnectClient from './connectClient';
import { interleave, loadShippedBundle, median, metric, numberArg, report, settle, time, timeProcess } from './common';
import { killAndWait, track } from '../support/processes';
import { startSshd, Sshd } from '../support/sshd';

const ALIAS = 'bench';
const MUX_ALIAS = 'benchmux';

/** `ssh -M -N` in the foreground, so the PID we hold is the master's; resolves once it answers `-O check`. */
async function startControlMaster(cfg: string): Promise<ChildProcess> {
  const master = track(spawn('ssh', ['-F', cfg, '-M', '-N', '-o', 'ControlPersist=no', MUX_ALIAS], { stdio: ['ignore', 'ignore', 'pipe'] }));
  let stderr = '';
  master.stderr!.on('data', (d) => (stderr += d));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (master.exitCode !== null || master.signalCode !== null) throw new Error(`ssh ControlMaster exited: ${stderr}`);
    if (spawnSync('ssh', ['-F', cfg, '-O', 'check', MUX_ALIAS], { stdio: 'ignore' }).status === 0) return master;
    if (Date.now() > deadline) {
      await killAndWait(master);
      throw new Error(`ssh ControlMaster did not come up: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function run(argv: string[] = process.argv.slice(2)): Promise<void> {
  const rounds = Math.max(5, numberArg(argv, 'rounds', 7));
  const stats = numberArg(argv, 'stats', 1000);
  const verbose = argv.includes('--verbose');
  const loadBefore = os.loadavg()[0].toFixed(2);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-bench-connect-'));
  let sshd: Sshd | undefined;
  let master: ChildProcess | undefined;
  let pooled: ConnectClient.PooledHost | undefined;
  try {
    const client = await loadShippedBundle<typeof ConnectClient>('test/bench/connectClient.ts', work);
    if (client.nativeAddonLoaded()) throw new Error('the bench bundle loaded ssh2 native addon; it must measure the shipped pure-JS path');
    sshd = await startSshd();
    const server = sshd;
    const cfg = server.writeClientConfig(ALIAS, ['BatchMode yes', 'Compression no', 'ControlMaster no', 'ControlPath none']);
    const muxCfg = server.writeClientConfig(MUX_ALIAS, ['BatchMode yes', 'Compression no', 'ControlMaster no', `ControlPath ${path.join(work, 'cm-%C')}`]);
    const sftpBatch = (input: string) => timeProcess('sftp', ['-q', '-b', '-', '-F', cfg, ALIAS], input);
    const statTarget = path.join(server.root, 'stat-me.txt');
    fs.writeFileSync(statTarget, 'x');
    const dfBatch = `df ${server.root}\n`.repeat(stats);

    pooled = await client.pooledHost(server);
    const host = pooled;
    master = await startControlMaster(muxCfg);

    const ready = metric('connect.sftp_ready', 'ssh host true (new process: connect, auth, exec, exit)');
    const readyVsSftp = metric('connect.sftp_ready_vs_sftp', 'sftp -b /dev/null host (new process: connect, auth, sftp subsystem, exit)');
    const stat = metric(`connect.stat_${stats}`, 'none (no OpenSSH equivalent); goal <= 0.150 s');
    const statVsDf = metric(`connect.stat_${stats}_vs_sftp_df`, `sftp -b: ${stats} x df (one statvfs@openssh.com request each), net of an idle sftp session`);
    const execMux = metric('connect.exec_roundtrip', 'ssh host true over a ControlMaster (ControlPath reuse)');
    const metrics = [ready, readyVsSftp, stat, statVsDf, execMux];
    const readyOnly: number[] = [];

    await interleave(rounds, async () => {
      const ours = async () => {
        settle();
        const result = await client.connectSftpAndClose(server);
        readyOnly.push(result.ready_s);
        return result.closed_s;
      };
      ready.ours.push(await ours());
      ready.baseline.push(await timeProcess('ssh', ['-F', cfg, ALIAS, 'true']));
      readyVsSftp.ours.push(await ours());
      const sftpNoop = await timeProcess('sftp', ['-q', '-b', '/dev/null', '-F', cfg, ALIAS]);
      readyVsSftp.baseline.push(sftpNoop);

      stat.ours.push(await time(() => host.statSequential(statTarget, stats)));
      statVsDf.ours.push(await time(() => host.statSequential(statTarget, stats)));
      statVsDf.baseline.push((await sftpBatch(dfBatch)) - (await sftpBatch('')));

      execMux.ours.push(await time(() => host.exec('true')));
      execMux.baseline.push(await timeProcess('ssh', ['-F', muxCfg, MUX_ALIAS, 'true']));
    });

    report(
      `\nconnect bench: ${rounds} rounds, medians; ssh2 without native addon; node ${process.version}; ${os.cpus().length} CPUs; 1-min load before start ${loadBefore}\n` +
        `ours for sftp_ready = new pool → SFTP ready → closed (median to ready alone: ${(median(readyOnly) * 1000).toFixed(1)} ms)`,
      metrics,
      rounds,
      verbose,
    );
  } finally {
    await pooled?.close().catch(() => undefined);
    if (master) await killAndWait(master);
    await sshd?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
