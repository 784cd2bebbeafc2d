// Sandbox terminals against a real OpenSSH sshd, rendered by xterm.js headless: what the user
// would see. The remote login shell is bash (the test user's); its login files live in the
// sshd's temp home.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { memoryLog, acceptedLogins, targetFor, testPool } from '../../support/targets';
import { startSshd, Sshd, generateKey } from '../../support/sshd';
import { TerminalScreen } from '../../support/terminalScreen';
import { ConnectionPool } from '../../../src/ssh/pool';
import { poolTerminalConnector } from '../../../src/terminal/sshConnectionAdapter';
import { SandboxPseudoterminal, SandboxTerminalOptions } from '../../../src/terminal/sandboxPseudoterminal';
import { OpenRequest } from '../../../src/terminal/openRequestFilter';
import { terminalEnvironment } from '../../../src/terminal/terminalEnvironment';

const PROMPT = /sbx-test:[^\n]*[$#] $/m;

describe('SandboxPseudoterminal over real sshd', function () {
  this.timeout(60_000);
  let sshd: Sshd;
  let pool: ConnectionPool;
  let home: string;
  let tmp: string;
  const open: { pty: SandboxPseudoterminal; screen: TerminalScreen }[] = [];

  before(async () => {
    // The remote's TMPDIR, where the start-up folder is made: empty again once the shell read it.
    tmp = path.join(fs.realpathSync(os.tmpdir()), `sbx-term-tmp-${process.pid}`);
    fs.mkdirSync(tmp, { recursive: true });
    sshd = await startSshd({ extraConfig: [`SetEnv TMPDIR=${tmp}`] });
    home = path.join(sshd.dir, 'home');
    // What a login shell reads: the prompt and a marker that proves ~/.profile ran.
    fs.writeFileSync(
      path.join(home, '.profile'),
      ['[ -f "$HOME/fail-now" ] && { echo "profile broke: no such tool"; exit 7; }', 'export SBX_FROM_PROFILE=yes', "PS1='sbx-test:\\w\\$ '", ''].join('\n'),
    );
    pool = testPool({ targets: { box: targetFor(sshd) }, hostKeys: [sshd.hostKey.publicKey] });
  });

  afterEach(() => {
    for (const t of open.splice(0)) {
      t.pty.close();
      t.screen.dispose();
    }
  });

  after(async () => {
    await pool?.dispose();
    await sshd?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function terminal(options: Partial<SandboxTerminalOptions> = {}, p = pool, columns = 80, rows = 24) {
    const log = memoryLog();
    const pty = new SandboxPseudoterminal({ connect: poolTerminalConnector(p, 'box', log), host: 'box', log, ...options });
    const screen = new TerminalScreen(pty, columns, rows);
    open.push({ pty, screen });
    pty.open({ columns, rows });
    return { pty, screen, log };
  }

  const closed = (pty: SandboxPseudoterminal) => new Promise<number | void>((resolve) => pty.onDidClose(resolve));
  const channelOpen = (pty: SandboxPseudoterminal) => new Promise<void>((resolve) => pty.onDidOpenChannel(resolve));

  it('shows the login prompt of a login environment, keeps input typed while opening, leaves no start-up files', async () => {
    const { pty, screen } = terminal();
    pty.handleInput('echo typed-$((20+22)) from=$SBX_FROM_PROFILE term=$TERM\r');
    await screen.waitFor(/^typed-42 from=yes term=xterm-256color$/m, 'the early input run by the login shell');
    await screen.waitFor(PROMPT, 'the prompt');
    pty.handleInput('ls -A "$TMPDIR" | wc -l; echo dir=${SBX_TERM_DIR-none}\r');
    await screen.waitFor(/^0\ndir=none$/m, 'an empty start-up folder and no SBX_TERM_DIR');
  });

  it('resizes the remote terminal: tput cols follows setDimensions', async () => {
    const { pty, screen } = terminal();
    await screen.waitFor(PROMPT, 'the prompt');
    pty.handleInput('tput cols; stty size\r');
    await screen.waitFor(/^80\n24 80$/m, 'the initial size');
    screen.resize(113, 31);
    pty.setDimensions({ columns: 113, rows: 31 });
    pty.handleInput('tput cols; stty size\r');
    await screen.waitFor(/^113\n31 113$/m, 'the new size');
  });

  it('round-trips UTF-8 when a character is split across output chunks, and typed UTF-8 arrives intact', async () => {
    const { pty, screen } = terminal();
    await screen.waitFor(PROMPT, 'the prompt');
    // Two writes with a pause between: the euro sign's three bytes arrive in two chunks.
    pty.handleInput("printf 'A\\342\\202'; sleep 0.3; printf '\\254B\\n'\r");
    const text = await screen.waitFor(/^A€B$/m, 'the joined euro sign');
    assert.ok(!text.includes('\ufffd'), 'no replacement character');
    pty.handleInput("printf '%s' 'ü€😀' | od -An -tx1\r");
    await screen.waitFor(/c3 bc e2 82 ac f0 9f 98 80/, 'the typed UTF-8 bytes on the remote');
  });

  it('speaks a latin1 remote in both directions when the host encoding says so', async () => {
    const { pty, screen } = terminal({ encoding: 'latin1' });
    await screen.waitFor(PROMPT, 'the prompt');
    // The remote prints latin1 bytes; typed é must arrive as the single byte e9.
    pty.handleInput("printf 'caf\\351\\n'; printf '%s' 'é' | od -An -tx1\r");
    await screen.waitFor(/^café\n e9$/m, 'latin1 output decoded and typed é sent as e9');
  });

  it('closes with the shell exit status at once when the user typed it: exit 3 → 3', async () => {
    const { pty, screen } = terminal({ earlyExitMs: 60_000 });
    await screen.waitFor(PROMPT, 'the prompt');
    const code = closed(pty);
    pty.handleInput('exit 3\r');
    assert.strictEqual(await code, 3);
  });

  it('starts in the folder it was opened on (quoted safely)', async () => {
    const folder = path.join(sshd.root, "my dir $(touch pwned) it's");
    fs.mkdirSync(folder, { recursive: true });
    const { pty, screen } = terminal({ cwd: folder });
    await screen.waitFor(PROMPT, 'the prompt');
    pty.handleInput('pwd; ls -A | wc -l\r');
    await screen.waitFor((t) => t.includes(`\n${folder}\n0`), 'the folder as working directory');
    assert.ok(!fs.existsSync(path.join(sshd.root, 'pwned')));
  });

  it('sends SetEnv and the env setting, never a secret-looking variable or its value', async () => {
    process.env.SBX_TEST_API_TOKEN = 'leaked-value-1';
    try {
      const env = terminalEnvironment({ SBX_FROM_SETENV: 'ssh-config' }, { SBX_VISIBLE: 'yes $HOME', SBX_PASSWORD: 'leaked-value-2', SBX_COPY: '${env:SBX_TEST_API_TOKEN}', SBX_PLAIN: '${env:SBX_TEST_PLAIN}' }, { ...process.env, SBX_TEST_PLAIN: 'plain' });
      assert.deepStrictEqual(env.withheld.sort(), ['SBX_PASSWORD', 'SBX_TEST_API_TOKEN']);
      const { pty, screen } = terminal({ env: env.env });
      await screen.waitFor(PROMPT, 'the prompt');
      pty.handleInput('env | grep ^SBX_ | sort; echo end-of-env\r');
      const text = await screen.waitFor(/^end-of-env$/m, 'the environment');
      assert.match(text, /^SBX_FROM_SETENV=ssh-config$/m);
      assert.match(text, /^SBX_VISIBLE=yes \$HOME$/m);
      assert.match(text, /^SBX_PLAIN=plain$/m);
      assert.doesNotMatch(text, /leaked-value|SBX_PASSWORD|TOKEN/);
    } finally {
      delete process.env.SBX_TEST_API_TOKEN;
    }
  });

  it('turns `code README.md` into an open request for <cwd>/README.md, and emits OSC 633 sequences', async () => {
    const folder = path.join(sshd.root, 'project');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'README.md'), 'hi\n');
    const requests: OpenRequest[] = [];
    let raw = '';
    const { pty, screen } = terminal({ cwd: folder, onOpenRequest: (r) => requests.push(r) });
    pty.onDidWrite((d) => (raw += d));
    await screen.waitFor(PROMPT, 'the prompt');
    pty.handleInput('code README.md ../project; echo opened\r');
    await screen.waitFor(/^opened$/m, 'the command finishing');
    assert.deepStrictEqual(requests, [
      { path: path.join(folder, 'README.md'), kind: 'file' },
      { path: folder, kind: 'folder' },
    ]);
    await screen.waitFor(PROMPT, 'the next prompt');
    assert.ok(raw.includes(`\x1b]633;P;Cwd=${folder}\x07`), 'current directory reported');
    assert.ok(raw.includes(`\x1b]633;E;code README.md ../project\\x3b echo opened;${pty.nonce}\x07\x1b]633;C\x07`), 'command line reported');
    assert.ok(raw.includes('\x1b]633;D;0\x07'), 'exit status reported');
    assert.ok(!raw.includes('\x1b]5379;'), 'the private sequence never reaches the screen');
  });

  it('leaves a shell that dies at once on screen until a key is pressed', async () => {
    fs.writeFileSync(path.join(home, 'fail-now'), '');
    try {
      const { pty, screen } = terminal({ earlyExitMs: 60_000 });
      let code: number | void | undefined;
      pty.onDidClose((c) => (code = c));
      await screen.waitFor(/profile broke: no such tool[\s\S]*ended at once \(exit code 7\)[\s\S]*Press any key/, 'the error and the hint');
      assert.strictEqual(code, undefined, 'still open');
      const gone = closed(pty);
      pty.handleInput('x');
      assert.strictEqual(await gone, 7);
    } finally {
      fs.rmSync(path.join(home, 'fail-now'));
    }
  });

  it('shows why a host refuses in the terminal', async () => {
    const otherKey = generateKey(path.join(sshd.dir, 'not-the-host-key'));
    const refusing = testPool({ targets: { box: targetFor(sshd) }, hostKeys: [otherKey.publicKey] });
    try {
      const { pty, screen } = terminal({}, refusing);
      await screen.waitFor(/Cannot open a terminal on box: .*host key/i, 'the refusal');
      const gone = closed(pty);
      pty.handleInput('\r');
      assert.strictEqual(await gone, 1);
    } finally {
      await refusing.dispose();
    }
  });

  it('waits for a free session with a line saying so, and opens when one frees (one connection)', async () => {
    // Terminals are long-lived session channels: of 4 slots they leave 2 to files and commands.
    const small = testPool({ targets: { box: targetFor(sshd) }, hostKeys: [sshd.hostKey.publicKey], settings: { maxSessions: 4 } });
    const loginsBefore = acceptedLogins(sshd);
    try {
      const first = terminal({}, small);
      const second = terminal({}, small);
      await Promise.all([first.screen.waitFor(PROMPT, 'first prompt'), second.screen.waitFor(PROMPT, 'second prompt')]);
      const third = terminal({}, small);
      const thirdOpen = channelOpen(third.pty);
      third.pty.handleInput('echo third-$((1+2))\r');
      await third.screen.waitFor(/waiting for a free session on box \(2 in use\)/, 'the waiting line');
      first.pty.close();
      await thirdOpen;
      await third.screen.waitFor(/^third-3$/m, 'the third terminal working');
      assert.strictEqual(acceptedLogins(sshd) - loginsBefore, 1, 'one login for all three');
    } finally {
      for (const t of open.splice(0)) t.pty.close();
      await small.dispose();
    }
  });
  it('says in-line that the connection was lost when sshd dies, and starts a fresh shell when it is back', async () => {
    const doomed = await startSshd();
    fs.writeFileSync(path.join(doomed.dir, 'home', '.profile'), "PS1='sbx-test:\\w\\$ '\n");
    const doomedPool = testPool({ targets: { box: targetFor(doomed) }, hostKeys: [doomed.hostKey.publicKey], settings: { reconnect: { initialDelayMs: 100, maxDelayMs: 500, maxAttempts: 100 } } });
    try {
      const { pty, screen } = terminal({}, doomedPool, 200);
      await screen.waitFor(PROMPT, 'a prompt');
      let code: number | void | undefined;
      pty.onDidClose((c) => (code = c));
      await doomed.kill();
      await screen.waitFor(/The connection to box was lost \(this shell is gone\)\. Reconnecting/, 'the lost line');
      assert.strictEqual(code, undefined, 'still open');
      const reopened = new Promise<void>((resolve) => pty.onDidOpenChannel(resolve));
      await doomed.restart();
      await reopened;
      await screen.waitFor(/this is a new shell\.[\s\S]*sbx-test:[^\n]*[$#] $/, 'the new-shell line and a prompt');
      pty.handleInput('exit 4\r');
      assert.strictEqual(await closed(pty), 4);
    } finally {
      await doomedPool.dispose();
      await doomed.stop();
    }
  });
});
