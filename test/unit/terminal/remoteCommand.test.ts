// Tasks and ad-hoc commands on a sandbox (RemoteCommandTerminal) against real sshd: the exit
// code closes the terminal, output shows as a terminal would, and a timeout or a cancel kills
// the command's whole process tree on the remote (this machine: /proc shows what is left).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { memoryLog, targetFor, testPool } from '../../support/targets';
import { startSshd, Sshd } from '../../support/sshd';
import { TerminalScreen } from '../../support/terminalScreen';
import { ConnectionPool } from '../../../src/ssh/pool';
import { poolTerminalConnector } from '../../../src/terminal/sshConnectionAdapter';
import { RemoteCommandOptions, RemoteCommandTerminal, TIMEOUT_EXIT_CODE } from '../../../src/terminal/task/remoteCommand';

/** Command lines of every process on this machine that contain `marker`. */
function processesWith(marker: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(marker) && !cmdline.includes('mocha')) found.push(`${pid}: ${cmdline}`);
    } catch {
      /* gone */
    }
  }
  return found;
}

/** SIGKILL is delivered asynchronously: the processes go within moments, which nothing here can await. */
async function goneWithin(marker: string, ms = 5000): Promise<string[]> {
  const deadline = Date.now() + ms;
  while (processesWith(marker).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return processesWith(marker);
}

describe('RemoteCommandTerminal over real sshd', function () {
  this.timeout(60_000);
  let sshd: Sshd;
  let pool: ConnectionPool;

  before(async () => {
    sshd = await startSshd();
    pool = testPool({ targets: { box: targetFor(sshd) }, hostKeys: [sshd.hostKey.publicKey] });
  });
  after(async () => {
    await pool?.dispose();
    await sshd?.stop();
  });

  function run(options: Partial<RemoteCommandOptions> & { command: string }) {
    const log = memoryLog();
    const term = new RemoteCommandTerminal({ connect: poolTerminalConnector(pool, 'box', log), host: 'box', log, ...options });
    const screen = new TerminalScreen(term, 120, 24);
    term.open();
    return { term, screen, log };
  }

  it('closes with the exit code, shows stdout and stderr line by line, runs in cwd with env, and writes the audit line', async () => {
    const folder = path.join(sshd.root, 'task dir');
    fs.mkdirSync(folder, { recursive: true });
    const { term, screen, log } = run({ command: 'pwd; echo "v=$SBX_V"; echo err-line >&2; exit 3', cwd: folder, env: { SBX_V: "it's" } });
    assert.strictEqual(await term.result, 3);
    // xterm renders asynchronously: wait for the last line, then compare the whole screen.
    assert.strictEqual(await screen.waitFor(/err-line/, 'stderr'), `${folder}\nv=it's\nerr-line`);
    assert.ok(log.lines.some((l) => /exec box: <command> → exit 3 in \d+ ms/.test(l)), log.lines.join('\n'));
  });

  it('a timeout kills the command and all its children on the remote and reports failure', async () => {
    const marker = `sleep 30${process.pid % 100}7`;
    const { term, screen, log } = run({ command: `${marker} & ${marker} & echo started; wait`, timeoutSeconds: 1 });
    await screen.waitFor(/^started$/m, 'the command running');
    // A background child may not have exec'd `sleep` yet when `started` prints: wait for both, bounded.
    const sleeping = () => processesWith(marker).filter((p) => p.endsWith(`: ${marker} `)).length;
    for (let i = 0; i < 100 && sleeping() < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.strictEqual(sleeping(), 2, 'both children run');
    assert.strictEqual(await term.result, TIMEOUT_EXIT_CODE);
    await screen.waitFor(/Timed out after 1 s: stopping the command and its child processes on box\./, 'the timeout line');
    assert.deepStrictEqual(await goneWithin(marker), [], 'the whole process tree is gone');
    assert.ok(log.lines.some((l) => /exec box: sleep → timed out in \d+ ms/.test(l)), log.lines.join('\n'));
  });

  it('a cancel (close) kills the process tree too', async () => {
    const marker = `sleep 31${process.pid % 100}9`;
    const { term, screen } = run({ command: `sh -c '${marker}' & echo started; wait` });
    await screen.waitFor(/^started$/m, 'the command running');
    assert.ok(processesWith(marker).length >= 2, 'the command and its child run');
    term.close();
    assert.strictEqual(await term.result, 130);
    assert.deepStrictEqual(await goneWithin(marker), []);
  });
});

describe('RemoteCommandTerminal when the login shell prints before the command', function () {
  this.timeout(60_000);
  let sshd: Sshd;
  let pool: ConnectionPool;

  before(async () => {
    sshd = await startSshd();
    // bash run by sshd sources ~/.bashrc (HOME is the test's) before the wrapper runs: a banner
    // without a newline, then a line, as noisy startup files print.
    fs.writeFileSync(path.join(sshd.dir, 'home', '.bashrc'), `printf 'noisy-rc '; echo 'banner line'\n`);
    pool = testPool({ targets: { box: targetFor(sshd) }, hostKeys: [sshd.hostKey.publicKey] });
  });
  after(async () => {
    await pool?.dispose();
    await sshd?.stop();
  });

  it('still finds the process group (cancel kills the tree) and hides the marker line', async () => {
    const marker = `sleep 32${process.pid % 100}3`;
    const log = memoryLog();
    const term = new RemoteCommandTerminal({ connect: poolTerminalConnector(pool, 'box', log), host: 'box', log, command: `sh -c '${marker}' & echo started; wait` });
    const screen = new TerminalScreen(term, 120, 24);
    term.open();
    const text = await screen.waitFor(/^started$/m, 'the command running');
    assert.match(text, /noisy-rc banner line/, `the startup output is shown: ${JSON.stringify(text)}`);
    assert.doesNotMatch(text, /sbx-task-pgid/, 'the marker line is hidden');
    assert.ok(processesWith(marker).length >= 2, 'the command and its child run');
    term.close();
    assert.strictEqual(await term.result, 130);
    assert.deepStrictEqual(await goneWithin(marker), [], 'the whole process tree is gone');
  });
});
