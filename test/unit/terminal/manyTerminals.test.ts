// 12 sandbox terminals and file operations on a host with MaxSessions 10, over one connection:
// terminals are long-lived session channels and never take the last two slots, so 8 open, 4
// say they wait, file operations and commands keep working meanwhile, and the waiting ones open
// as soon as others close. sshd logs one accepted login.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { acceptedLogins, memoryLog, targetFor, testPool } from '../../support/targets';
import { startSshd, Sshd } from '../../support/sshd';
import { TerminalScreen } from '../../support/terminalScreen';
import { ConnectionPool } from '../../../src/ssh/pool';
import { exec } from '../../../src/ssh/exec';
import { poolTerminalConnector } from '../../../src/terminal/sshConnectionAdapter';
import { SandboxPseudoterminal } from '../../../src/terminal/sandboxPseudoterminal';

describe('12 terminals and file operations on MaxSessions 10', function () {
  this.timeout(120_000);
  let sshd: Sshd;
  let pool: ConnectionPool;
  const open: { pty: SandboxPseudoterminal; screen: TerminalScreen }[] = [];

  before(async () => {
    sshd = await startSshd({ maxSessions: 10 });
    fs.writeFileSync(path.join(sshd.dir, 'home', '.profile'), "PS1='many\\$ '\n");
    fs.writeFileSync(path.join(sshd.root, 'data.txt'), 'payload\n');
    pool = testPool({ targets: { box: targetFor(sshd) }, hostKeys: [sshd.hostKey.publicKey], settings: { maxSessions: 10 } });
  });
  after(async () => {
    for (const t of open.splice(0)) t.pty.close();
    await pool?.dispose();
    await sshd?.stop();
  });

  it('8 open, 4 wait saying so, file operations succeed meanwhile, all open once 4 close, one login', async () => {
    const loginsBefore = acceptedLogins(sshd);
    const log = memoryLog();
    const opened = new Set<SandboxPseudoterminal>();
    for (let i = 0; i < 12; i++) {
      const pty = new SandboxPseudoterminal({ connect: poolTerminalConnector(pool, 'box', log), host: 'box', log, earlyExitMs: 60_000 });
      pty.onDidOpenChannel(() => opened.add(pty));
      const screen = new TerminalScreen(pty);
      open.push({ pty, screen });
      pty.open({ columns: 80, rows: 24 });
    }
    const waiting = () => open.filter((t) => /waiting for a free session on box \(\d+ in use\)/.test(t.screen.text()));
    // Each terminal either gets a prompt or says it waits.
    await Promise.all(open.map((t) => t.screen.waitFor((s) => /many[$#] $/m.test(s) || /waiting for a free session on box/.test(s), 'a prompt or the waiting line', 30_000)));
    assert.strictEqual(opened.size, 8, 'long-lived terminals leave 2 of 10 slots');
    assert.strictEqual(waiting().length, 4);
    assert.match(waiting()[0].screen.text(), /waiting for a free session on box \(8 in use\)/);

    // Files and commands still work while terminals wait: they use the slots terminals leave.
    const ref = await pool.acquire('box');
    try {
      const connection = await ref.connection();
      const sftp = await connection.sftp();
      const results = await Promise.all([
        ...Array.from({ length: 10 }, () => sftp.readFile(path.join(sshd.root, 'data.txt'))),
        sftp.readdir(sshd.root),
        sftp.mkdir(path.join(sshd.root, 'made-while-waiting')),
        exec(connection, 'echo short-command', { timeoutMs: 10_000 }, log),
      ]);
      for (const r of results.slice(0, 10)) assert.strictEqual((r as Buffer).toString(), 'payload\n');
      assert.ok(fs.existsSync(path.join(sshd.root, 'made-while-waiting')));
      assert.strictEqual(results[12] && (results[12] as { stdout: Buffer }).stdout.toString().trim(), 'short-command');
    } finally {
      ref.release();
    }
    assert.strictEqual(opened.size, 8, 'still waiting');

    // Four close: the four waiting ones open, and every terminal left works.
    const first = open.filter((t) => opened.has(t.pty)).slice(0, 4);
    const late = waiting();
    for (const t of first) t.pty.close();
    const rest = open.filter((t) => !first.includes(t));
    rest.forEach((t, i) => t.pty.handleInput(`echo alive-${i}-$((1+1))\r`));
    await Promise.all(rest.map((t, i) => t.screen.waitFor(new RegExp(`^alive-${i}-2$`, 'm'), `terminal ${i} working`, 30_000)));
    for (const t of late) assert.ok(opened.has(t.pty), 'a waiting terminal opened');
    assert.strictEqual(acceptedLogins(sshd) - loginsBefore, 1, 'one TCP connection for everything');
  });
});
