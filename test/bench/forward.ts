// forward bench: our local forward (src/forwarding/localForward.ts over the pooled connection,
// bundled as shipped: ssh2 without its native addon) against `ssh -N -L` on one freshly started
// local sshd. The target server and the client each run as their own process (forwardPeers.ts),
// the same for both sides; rounds interleave ours and the baseline.
//
//   forward.upload_<N>MiB     N MiB client → target through the forward
//   forward.download_<N>MiB   N MiB target → client
//   forward.short_<C>         C sequential connections: connect, 1 KiB request, 1 KiB answer, close
//   forward.short_<C>_vs_session  the same, vs `ssh -L host cat`: an ssh that also runs a command.
//                             sshd sets TCP_NODELAY on a connection only once a session channel
//                             opens on it, so `ssh -N -L` waits ~40 ms (Nagle + delayed ACK) on
//                             every short exchange; this baseline does not (ours opens its SFTP
//                             session for the same reason: src/forwarding/sshConnectionPort.ts)
//
//   npm run bench -- forward [--size MiB (default 512)] [--short N (default 1000)] [--rounds N (default 5)] [--verbose]
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type * as ForwardClient from './forwardClient';
import { interleave, loadShippedBundle, MiB, metric, numberArg, report } from './common';
import { freePort, startSshd, Sshd } from '../support/sshd';
import { killAndWait, track } from '../support/processes';

const PEERS = path.join(__dirname, 'forwardPeers.js');

function runPeer(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PEERS, 'client', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`client ${args.join(' ')} exited ${code}: ${err}`))));
  });
}

async function startTarget(): Promise<{ port: number; child: ChildProcess }> {
  const child = track(spawn(process.execPath, [PEERS, 'target'], { stdio: ['ignore', 'pipe', 'inherit'] }));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d) => resolve(Number(String(d).trim())));
    child.once('exit', (code) => reject(new Error(`target exited ${code}`)));
  });
  return { port, child };
}

/** `ssh -N -L` (or, `withSession`, `ssh -L host cat`), resolved once its listener accepts connections. */
async function startSshForward(cfg: string, targetPort: number, withSession = false): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const forward = ['-F', cfg, '-o', 'ExitOnForwardFailure=yes', '-L', `127.0.0.1:${port}:127.0.0.1:${targetPort}`];
  // `cat` reads our pipe: it ends when this ssh does, so nothing is left on the "remote".
  const args = withSession ? [...forward, '-T', 'bench', 'cat'] : [...forward, '-N', 'bench'];
  const child = track(spawn('ssh', args, { stdio: [withSession ? 'pipe' : 'ignore', 'ignore', 'inherit'] }));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return { port, child };
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('ssh -L did not come up');
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function run(argv: string[] = process.argv.slice(2)): Promise<void> {
  const size = numberArg(argv, 'size', 512);
  const short = numberArg(argv, 'short', 1000);
  const rounds = Math.max(1, numberArg(argv, 'rounds', 5));
  const verbose = argv.includes('--verbose');
  const loadBefore = os.loadavg()[0].toFixed(2);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-bench-forward-'));
  let sshd: Sshd | undefined;
  let target: { child: ChildProcess } | undefined;
  let baseline: { child: ChildProcess } | undefined;
  let withSession: { child: ChildProcess } | undefined;
  let ours: ForwardClient.OurForward | undefined;
  try {
    const client = await loadShippedBundle<typeof ForwardClient>('test/bench/forwardClient.ts', work);
    if (client.nativeAddonLoaded()) throw new Error('the bench bundle loaded ssh2 native addon; it must measure the shipped pure-JS path');
    sshd = await startSshd();
    const cfg = sshd.writeClientConfig('bench', ['BatchMode yes', 'Compression no', 'ControlMaster no', 'ControlPath none']);
    const t = await startTarget();
    target = t;
    ours = await client.startForward(sshd, t.port);
    const b = await startSshForward(cfg, t.port);
    baseline = b;
    const bs = await startSshForward(cfg, t.port, true);
    withSession = bs;
    const bytes = size * MiB;
    const upload = metric(`forward.upload_${size}MiB`, `ssh -N -L, same client and target`, bytes);
    const download = metric(`forward.download_${size}MiB`, `ssh -N -L, same client and target`, bytes);
    const shortConns = metric(`forward.short_${short}`, `ssh -N -L: ${short} sequential connect + 1 KiB request/response + close`);
    const shortVsSession = metric(`forward.short_${short}_vs_session`, `ssh -L host cat (a session open: sshd sets TCP_NODELAY): ${short} sequential connect + 1 KiB request/response + close`);
    const oursPort = ours.port;
    await interleave(rounds, async () => {
      upload.ours.push(await runPeer(['up', String(oursPort), String(bytes)]));
      upload.baseline.push(await runPeer(['up', String(b.port), String(bytes)]));
      download.ours.push(await runPeer(['down', String(oursPort), String(bytes)]));
      download.baseline.push(await runPeer(['down', String(b.port), String(bytes)]));
      shortConns.ours.push(await runPeer(['rr', String(oursPort), String(short)]));
      shortConns.baseline.push(await runPeer(['rr', String(b.port), String(short)]));
      shortVsSession.ours.push(await runPeer(['rr', String(oursPort), String(short)]));
      shortVsSession.baseline.push(await runPeer(['rr', String(bs.port), String(short)]));
    });
    report(
      `\nforward bench: ${rounds} rounds, medians; ssh2 without native addon; node ${process.version}; ${os.cpus().length} CPUs; 1-min load before start ${loadBefore}; ratio = base/ours (> 1: ours faster)`,
      [upload, download, shortConns, shortVsSession],
      rounds,
      verbose,
    );
  } finally {
    await ours?.close().catch(() => undefined);
    if (baseline) await killAndWait(baseline.child);
    if (withSession) await killAndWait(withSession.child);
    if (target) await killAndWait(target.child);
    await sshd?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
