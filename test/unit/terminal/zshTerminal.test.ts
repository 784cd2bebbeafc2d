// Sandbox terminals whose login shell is zsh, against a real OpenSSH sshd: sshd's SetEnv puts
// SHELL=zsh in the session, which is what the start-up command picks the shell by. Rendered by
// xterm.js headless. zsh is a Debian package the test set-up installs.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { memoryLog, targetFor, testPool } from '../../support/targets';
import { startSshd, Sshd } from '../../support/sshd';
import { commandExists } from '../../support/commands';
import { marksAcrossDrop, TerminalScreen } from '../../support/terminalScreen';
import { ConnectionPool } from '../../../src/ssh/pool';
import { poolTerminalConnector } from '../../../src/terminal/sshConnectionAdapter';
import { SandboxPseudoterminal } from '../../../src/terminal/sandboxPseudoterminal';
import { OpenRequest } from '../../../src/terminal/openRequestFilter';
import { TmuxShellSession } from '../../../src/terminal/tmux/tmuxSession';

const PROMPT = /zsh-test:[^\n]*% $/m;

function zshPath(): string {
  return execFileSync('sh', ['-c', 'command -v zsh'], { encoding: 'utf8' }).trim();
}

describe('SandboxPseudoterminal with a zsh login shell (real sshd)', function () {
  this.timeout(60_000);
  let sshd: Sshd;
  let pool: ConnectionPool;
  let home: string;
  let tmp: string;
  const socket = `sbx-zsh-${process.pid}`;
  const open: { pty: SandboxPseudoterminal; screen: TerminalScreen }[] = [];

  before(async () => {
    tmp = path.join(fs.realpathSync(os.tmpdir()), `sbx-zsh-tmp-${process.pid}`);
    fs.mkdirSync(tmp, { recursive: true });
    sshd = await startSshd({ extraConfig: [`SetEnv TMPDIR=${tmp}`, `SetEnv SHELL=${zshPath()}`] });
    home = path.join(sshd.dir, 'home');
    // The user's own zsh files: each must still run (login and interactive), in zsh's order.
    fs.writeFileSync(path.join(home, '.zshenv'), 'export SBX_ORDER="${SBX_ORDER}env,"\n');
    fs.writeFileSync(path.join(home, '.zprofile'), 'export SBX_ORDER="${SBX_ORDER}profile,"\n');
    fs.writeFileSync(path.join(home, '.zshrc'), "export SBX_ORDER=\"${SBX_ORDER}rc,\"\nPROMPT='zsh-test:%~%% '\n");
    fs.writeFileSync(path.join(home, '.zlogin'), 'export SBX_ORDER="${SBX_ORDER}login,"\n');
    pool = testPool({ targets: { box: targetFor(sshd) }, hostKeys: [sshd.hostKey.publicKey] });
  });

  afterEach(() => {
    for (const t of open.splice(0)) {
      t.pty.close();
      t.screen.dispose();
    }
  });

  after(async () => {
    // sshd.stop() ends its own tmux servers.
    await pool?.dispose();
    await sshd?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function terminal(cwd?: string, onOpenRequest?: (r: OpenRequest) => void, tmuxSession?: string) {
    const log = memoryLog();
    const session = tmuxSession ? new TmuxShellSession({ name: tmuxSession, socket, host: 'box', log }) : undefined;
    const pty = new SandboxPseudoterminal({ connect: poolTerminalConnector(pool, 'box', log), host: 'box', log, cwd, onOpenRequest, session });
    const screen = new TerminalScreen(pty, 100, 24);
    open.push({ pty, screen });
    pty.open({ columns: 100, rows: 24 });
    return { pty, screen };
  }

  it("runs the user's zsh files in zsh's order, starts in the folder, and leaves no start-up files or ZDOTDIR behind", async () => {
    const folder = path.join(sshd.root, 'zproject');
    fs.mkdirSync(folder, { recursive: true });
    const { pty, screen } = terminal(folder);
    await screen.waitFor(PROMPT, 'the zsh prompt');
    pty.handleInput('echo "shell=$ZSH_NAME order=$SBX_ORDER zdotdir=${ZDOTDIR-unset} pwd=$PWD"\r');
    const text = await screen.waitFor(/^shell=.*pwd=.*$/m, 'the echo');
    const line = text.match(/^shell=.*$/m)![0].trimEnd();
    assert.match(line, /shell=zsh /);
    assert.match(line, /order=env,profile,rc,login, /);
    assert.match(line, /zdotdir=unset /, 'ZDOTDIR is the user\'s again (unset: their home)');
    assert.ok(line.endsWith(`pwd=${folder}`), line);
    assert.deepStrictEqual(fs.readdirSync(tmp), [], 'the start-up folder is gone once zsh read it');
  });

  it('emits shell-integration sequences and turns `code README.md` into an open request', async () => {
    const folder = path.join(sshd.root, 'zproject2');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'README.md'), 'hi\n');
    const requests: OpenRequest[] = [];
    let raw = '';
    const { pty, screen } = terminal(folder, (r) => requests.push(r));
    pty.onDidWrite((d) => (raw += d));
    await screen.waitFor(PROMPT, 'the zsh prompt');
    pty.handleInput('code README.md; false\r');
    await screen.waitFor(/zsh-test:[^\n]*% [^\n]*\n[^]*zsh-test:[^\n]*% $/m, 'the next prompt');
    assert.deepStrictEqual(requests, [{ path: path.join(folder, 'README.md'), kind: 'file' }]);
    assert.ok(raw.includes(`\x1b]633;P;Cwd=${folder}\x07`), 'current directory reported');
    assert.ok(raw.includes('\x1b]633;D;1\x07'), 'the exit status of `false` reported');
    assert.ok(/\x1b]633;E;code README.md\\x3b false;[^\x07]*\x07/.test(raw), 'command line reported');
    assert.ok(!raw.includes('\x1b]5379;'), 'the private sequence never reaches the screen');
  });

  (commandExists('tmux') ? it : it.skip)('in tmux, every prompt (the first one too) arrives as A, prompt text, B', async () => {
    const { pty, screen } = terminal(undefined, undefined, 'sbx-zsh-marks');
    const marks = screen.recordShellMarks();
    await screen.waitFor(PROMPT, 'the zsh prompt');
    assert.strictEqual(pty.persistent, true, 'runs in tmux');
    await screen.waitForMarks(marks, 'B', 1);
    pty.handleInput('echo hi-$((1+1))\r');
    await screen.waitFor(/^hi-2\nzsh-test:[^\n]*% $/m, 'the command and the next prompt');
    await screen.waitForMarks(marks, 'B', 2);
    assert.strictEqual(marks.map((m) => m.kind).filter((k) => 'ABCDE'.includes(k)).join(''), 'ABECDAB', JSON.stringify(marks));
    for (const m of marks.filter((m) => m.kind === 'A')) assert.strictEqual(m.before, '', `A at the start of its line: ${JSON.stringify(marks)}`);
    for (const m of marks.filter((m) => m.kind === 'B')) assert.match(m.before, /^zsh-test:[^\n]*% $/, `B after the prompt text: ${JSON.stringify(marks)}`);
  });

  (commandExists('tmux') ? it : it.skip)('in tmux, after a dropped connection the re-attached zsh marks its prompt again (D, then A and B after the prompt text)', async () => {
    const { pty, screen } = terminal(undefined, undefined, 'sbx-zsh-remark');
    const marks = screen.recordShellMarks();
    await screen.waitFor(PROMPT, 'the zsh prompt');
    await screen.waitForMarks(marks, 'B', 1);
    const since = await marksAcrossDrop(screen, pty, marks, () => sshd.dropConnections());
    assert.deepStrictEqual(since.map((m) => m.data), ['D', 'A', 'B'], JSON.stringify(marks));
    assert.match(since[2].before, /^zsh-test:[^\n]*% $/);
  });
});
