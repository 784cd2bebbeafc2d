// A sandbox terminal across a network partition (namespace + iptables DROP, then heal), against
// real sshd and real tmux: with tmux the same session is re-attached and a counter started
// before the cut is still counting; without tmux the user gets one "lost" line and a fresh shell.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { createNetns, netnsAvailable, Netns } from '../../support/netns';
import { memoryLog, targetFor, testPool } from '../../support/targets';
import { startSshd, Sshd } from '../../support/sshd';
import { commandExists } from '../../support/commands';
import { TerminalScreen } from '../../support/terminalScreen';
import { ConnectionPool } from '../../../src/ssh/pool';
import { poolTerminalConnector } from '../../../src/terminal/sshConnectionAdapter';
import { SandboxPseudoterminal, ShellSession } from '../../../src/terminal/sandboxPseudoterminal';
import { TmuxShellSession } from '../../../src/terminal/tmux/tmuxSession';
import { listCommand, parseList } from '../../../src/terminal/tmux/tmuxCommands';

const hasTmux = commandExists('tmux');

const PROMPT = /part-test[$#] $/m;

describe('sandbox terminal across a network partition', function () {
  this.timeout(90_000);
  const why = netnsAvailable() ?? (hasTmux ? undefined : 'tmux is not installed');
  const socket = `sbx-part-${process.pid}`;
  let ns: Netns | undefined;
  let sshd: Sshd | undefined;
  let pool: ConnectionPool;
  const open: { pty: SandboxPseudoterminal; screen: TerminalScreen }[] = [];

  before(async function () {
    if (why) {
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    ns = createNetns();
    sshd = await startSshd({ netns: ns.name, listenAddress: ns.address });
    fs.writeFileSync(path.join(sshd.dir, 'home', '.profile'), "PS1='part-test\\$ '\n");
    pool = testPool({
      targets: { box: targetFor(sshd, { hostname: ns.address }) },
      hostKeys: [sshd.hostKey.publicKey],
      // A dead link is seen within 3 s; reconnect attempts every 250 ms to 1 s.
      settings: { keepaliveIntervalMs: 1000, keepaliveCountMax: 2, connectTimeoutMs: 2000, reconnect: { initialDelayMs: 250, maxDelayMs: 1000, maxAttempts: 100 } },
    });
  });

  afterEach(() => {
    ns?.heal();
    for (const t of open.splice(0)) {
      t.pty.close();
      t.screen.dispose();
    }
  });

  after(async () => {
    // sshd.stop() ends its own tmux servers.
    await pool?.dispose();
    await sshd?.stop();
    ns?.destroy();
  });

  function terminal(session?: ShellSession) {
    const log = memoryLog();
    const pty = new SandboxPseudoterminal({ connect: poolTerminalConnector(pool, 'box', log), host: 'box', log, session, earlyExitMs: 60_000 });
    // Wide enough that no message wraps.
    const screen = new TerminalScreen(pty, 200, 24);
    open.push({ pty, screen });
    pty.open({ columns: 200, rows: 24 });
    return { pty, screen, log };
  }

  const opens = (pty: SandboxPseudoterminal) => new Promise<void>((resolve) => pty.onDidOpenChannel(resolve));
  const highestCount = (text: string) => Math.max(0, ...[...text.matchAll(/count-(\d+)/g)].map((m) => Number(m[1])));

  it('re-attaches the same tmux session after the partition heals: the counter is still counting', async () => {
    const session = new TmuxShellSession({ name: 'sbx-partition-1', socket, host: 'box', log: memoryLog() });
    const { pty, screen } = terminal(session);
    await screen.waitFor(PROMPT, 'the prompt in tmux');
    assert.strictEqual(pty.persistent, true, 'runs in tmux');
    pty.handleInput('i=0; while [ $i -lt 100000 ]; do i=$((i+1)); echo count-$i; sleep 0.2; done\r');
    await screen.waitFor((t) => highestCount(t) >= 3, 'the counter running');

    ns!.partition();
    const lost = await screen.waitFor(/The connection to box was lost \(its session keeps running there\)\. Reconnecting/, 'the lost line', 20_000);
    const atLoss = highestCount(lost);
    const reopened = opens(pty);
    ns!.heal();
    await reopened;
    // The counter ran on in tmux while we were cut off (5 a second): re-attached, we see it ahead, and still moving.
    const seen = highestCount(await screen.waitFor((t) => highestCount(t) >= atLoss + 5, `a count past ${atLoss + 5} after re-attaching`, 20_000));
    await screen.waitFor((t) => highestCount(t) >= seen + 3, `the count moving on past ${seen + 3}`);
    assert.ok(!screen.text().includes('this is a new shell'), 'not a fresh shell');

    const c = await poolTerminalConnector(pool, 'box', memoryLog())();
    try {
      assert.deepStrictEqual(parseList((await c.run(listCommand(socket))).stdout), [{ name: 'sbx-partition-1', attached: 1 }], 'one session, our client only');
      pty.close();
      // close() ends the session over the connection it still held.
      for (let i = 0; i < 100 && parseList((await c.run(listCommand(socket))).stdout).length; i++) await new Promise((r) => setTimeout(r, 100));
      assert.deepStrictEqual(parseList((await c.run(listCommand(socket))).stdout), [], 'closing the terminal killed its session');
    } finally {
      c.dispose();
    }
  });

  it('without tmux: one "lost" line, then a fresh shell once the partition heals', async () => {
    const { pty, screen } = terminal();
    await screen.waitFor(PROMPT, 'the prompt');
    assert.strictEqual(pty.persistent, false);
    pty.handleInput('export OLD_SHELL=yes\r');
    await screen.waitFor(/export OLD_SHELL=yes\npart-test[$#] $/m, 'the next prompt');
    ns!.partition();
    await screen.waitFor(/The connection to box was lost \(this shell is gone\)\. Reconnecting/, 'the lost line', 20_000);
    const reopened = opens(pty);
    ns!.heal();
    await reopened;
    await screen.waitFor(/Reconnected to box\. The previous shell was lost with the connection; this is a new shell\.[\s\S]*part-test[$#] $/, 'the new-shell line and a prompt', 20_000);
    pty.handleInput('echo "old=${OLD_SHELL:-no} new=$((40+2))"\r');
    await screen.waitFor(/^old=no new=42$/m, 'a working fresh shell');
  });
});
