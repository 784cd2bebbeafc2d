// Persistent terminals in tmux: the pure pieces, then real tmux behind real sshd (the remote
// is this machine). Every test uses its own tmux socket and kills that server at the end.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { memoryLog, targetFor, testPool } from '../../support/targets';
import { startSshd, Sshd } from '../../support/sshd';
import { commandExists } from '../../support/commands';
import { marksAcrossDrop, TerminalScreen } from '../../support/terminalScreen';
import { ConnectionPool } from '../../../src/ssh/pool';
import { shellQuote } from '../../../src/ssh/exec';
import { poolTerminalConnector } from '../../../src/terminal/sshConnectionAdapter';
import { SandboxPseudoterminal, SandboxTerminalOptions } from '../../../src/terminal/sandboxPseudoterminal';
import { OpenRequest } from '../../../src/terminal/openRequestFilter';
import { ClosedSessions, MAX_REMEMBERED } from '../../../src/terminal/tmux/closedSessions';
import { OpenSessions } from '../../../src/terminal/tmux/openSessions';
import { TmuxShellSession } from '../../../src/terminal/tmux/tmuxSession';
import { exactTarget, isSessionName, newSessionName } from '../../../src/terminal/tmux/tmuxNames';
import { attachCommand, killCommand, listCommand, parseList, parseProbe, probeCommand, TmuxProbe } from '../../../src/terminal/tmux/tmuxCommands';

/** The script and arguments a portableSh command carries, decoded as its /bin/sh decoder does (printf %b). */
function portableParts(cmd: string): string[] {
  const words = [...cmd.matchAll(/'([^']*)'/g)].map((m) => m[1]);
  const bytes = (w: string) => Buffer.from(w.replace(/\\0([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))), 'latin1').toString('utf8');
  return words.slice(1).map(bytes);
}

const hasTmux = commandExists('tmux');

describe('tmux pieces', () => {
  it('names sessions with a random id and addresses them exactly', () => {
    const a = newSessionName('My Box.example');
    assert.match(a, /^sbx-myboxexample-[0-9a-f]{12}$/);
    assert.notStrictEqual(newSessionName(), newSessionName());
    assert.ok(isSessionName(newSessionName()));
    assert.strictEqual(exactTarget('sbx-slot1'), '=sbx-slot1');
    assert.throws(() => exactTarget('sbx-x; rm -rf ~'), RangeError);
    assert.throws(() => exactTarget('other'), RangeError);
  });

  it('parses the probe', () => {
    assert.deepStrictEqual(parseProbe('version=tmux 3.3a\nterminfo=yes\ninside=no\n'), { available: true, version: [3, 3], hasTmuxTerminfo: true, insideTmux: false });
    assert.deepStrictEqual(parseProbe('version=\nterminfo=no\ninside=yes\n'), { available: false, version: undefined, hasTmuxTerminfo: false, insideTmux: true });
    assert.deepStrictEqual(parseProbe('version=tmux next-3.5\nterminfo=no\ninside=no').version, [3, 5]);
  });

  it('probes through /bin/sh, never sets destroy-unattached on, never targets a bare name, never reads ~/.tmux.conf', () => {
    assert.match(probeCommand(), /^\/bin\/sh -c '/);
    const probe: TmuxProbe = { available: true, version: [3, 2], hasTmuxTerminfo: false, insideTmux: false };
    const cmd = attachCommand({ name: 'sbx-slot1', shellCommand: "exec /bin/sh -c 'x'", probe, cols: 80, rows: 24 });
    assert.doesNotMatch(cmd, /\n/);
    const [script, shell, pane] = portableParts(cmd);
    assert.strictEqual(shell, "exec /bin/sh -c 'x'");
    assert.doesNotMatch(script, /destroy-unattached on/);
    assert.match(script, /destroy-unattached off/);
    assert.doesNotMatch(script, /allow-passthrough/, 'tmux 3.2 passes passthrough on unasked');
    const unknown = portableParts(attachCommand({ name: 'sbx-slot1', shellCommand: 'x', probe: { ...probe, version: undefined }, cols: 80, rows: 24 }))[0];
    assert.match(unknown, /allow-passthrough on/, 'tried where the version does not say');
    assert.match(script, /new-session -d -P -F ok -s 'sbx-slot1' -x 80 -y 24 "\/bin\/sh \$pd\/pane" \\; set-option -t '=sbx-slot1:' destroy-unattached off \\; /, 'options set in the same tmux call as the session is made; the pane runs a file');
    assert.doesNotMatch(script, / -g/);
    for (const line of script.split('; ').filter((l) => /tmux -/.test(l))) assert.match(line, /tmux -u -L '[^']+' -f \/dev\/null /, line);
    // Every target is our session exactly; the one exception is the redraw key's pane id, read from our shell's state file.
    const targets = [...script.matchAll(/ -t (\S+)/g)].map((m) => m[1].replace(/'/g, '').replace(/;$/, '')).filter((t) => t !== '"$sn"');
    assert.match(script, /send-keys -t "\$sn" -H /);
    assert.ok(targets.length >= 8);
    for (const t of targets) assert.match(t, /^=sbx-slot1:?$/);
    assert.match(script, /default-terminal xterm-256color/);
    assert.match(pane, /session_attached/, 'the new pane waits for its first client');
    assert.match(portableParts(attachCommand({ name: 'sbx-a', shellCommand: 'x', probe: { ...probe, version: [3, 3], hasTmuxTerminfo: true }, cols: 1, rows: 1 }))[0], /default-terminal tmux-256color/);
    assert.match(portableParts(killCommand('sbx-slot1'))[0], /kill-session -t '=sbx-slot1' /);
    assert.deepStrictEqual(parseList('sbx-a 0\nsbx-b 2\n\ngarbage line here\n'), [
      { name: 'sbx-a', attached: 0 },
      { name: 'sbx-b', attached: 2 },
    ]);
  });

  // sshd runs a command through the user's login shell, and tmux runs a pane's command through it too.
  for (const shell of ['fish', 'csh', 'dash', 'bash', 'zsh']) {
    (commandExists(shell) ? it : it.skip)(`every command parses and runs the same when the login shell is ${shell}`, () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-shells-'));
      const env = { ...process.env, TMUX_TMPDIR: dir, TMUX: '' };
      const run = (cmd: string, extra: Record<string, string> = {}) => execFileSync(shell, ['-c', cmd], { encoding: 'utf8', env: { ...env, ...extra } });
      try {
        const probe = parseProbe(run(probeCommand()));
        assert.strictEqual(probe.available, hasTmux);
        // Inside tmux already, the attach command runs the shell command itself: quoting, decoding and arguments, end to end.
        const odd = `it's "$HOME" \\ 100% ! \`x\` ünï`;
        const shellCommand = `exec printf '%s\\n' ${shellQuote(odd)}`;
        assert.strictEqual(run(attachCommand({ name: 'sbx-shells', shellCommand, probe, cols: 80, rows: 24 }), { TMUX: '/tmp/x,1,0' }), `${odd}\n`);
        if (!hasTmux) return;
        execFileSync('tmux', ['-L', 'sbx-shells', '-f', '/dev/null', 'new-session', '-d', '-s', 'sbx-shells'], { env });
        assert.deepStrictEqual(parseList(run(listCommand('sbx-shells'))), [{ name: 'sbx-shells', attached: 0 }]);
        run(killCommand('sbx-shells', 'sbx-shells'));
        assert.deepStrictEqual(parseList(run(listCommand('sbx-shells'))), []);
      } finally {
        try {
          execFileSync('tmux', ['-L', 'sbx-shells', 'kill-server'], { env, stdio: 'ignore' });
        } catch {
          /* no server left */
        }
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('remembers closed sessions per host, bounded, and forgets the ones gone from the remote', async () => {
    const data = new Map<string, unknown>();
    const store = { get: <T>(k: string) => data.get(k) as T | undefined, update: async (k: string, v: unknown) => void data.set(k, v) };
    const closed = new ClosedSessions(store);
    await closed.add('box', 'sbx-a');
    assert.ok(closed.has('box', 'sbx-a'));
    assert.ok(!closed.has('other', 'sbx-a'));
    assert.ok(new ClosedSessions(store).has('box', 'sbx-a'), 'kept in the store');
    for (let i = 0; i < MAX_REMEMBERED + 5; i++) await closed.add('box', `sbx-n${i}`);
    assert.ok(!closed.has('box', 'sbx-a'), 'oldest forgotten');
    await closed.forgetGone('box', ['sbx-n7']);
    assert.ok(!closed.has('box', 'sbx-n8'));
  });
});

(hasTmux ? describe : describe.skip)('tmux terminals over real sshd', function () {
  this.timeout(60_000);
  const socket = `sbx-test-${process.pid}`;
  let sshd: Sshd;
  let pool: ConnectionPool;
  const open: { pty: SandboxPseudoterminal; screen: TerminalScreen }[] = [];
  let probe: TmuxProbe;

  before(async () => {
    sshd = await startSshd();
    fs.writeFileSync(path.join(sshd.dir, 'home', '.profile'), "PS1='tmux-test\\$ '\n");
    pool = testPool({ targets: { box: targetFor(sshd) }, hostKeys: [sshd.hostKey.publicKey] });
    const c = await poolTerminalConnector(pool, 'box', memoryLog())();
    try {
      probe = parseProbe((await c.run(probeCommand())).stdout);
    } finally {
      c.dispose();
    }
  });

  // Each test's terminals end with it: the pool has room for 8 sessions on this sshd.
  afterEach(() => {
    for (const t of open.splice(0)) t.pty.close();
  });

  after(async () => {
    for (const t of open.splice(0)) t.pty.close();
    // sshd.stop() ends its own tmux servers.
    await pool?.dispose();
    await sshd?.stop();
  });

  /** A pseudoterminal on the test sshd with `options` (a session or a wrapper), opened and rendered; ended after the test. */
  function openTerminal(options: Partial<SandboxTerminalOptions>, columns = 80) {
    const log = memoryLog();
    const pty = new SandboxPseudoterminal({ connect: poolTerminalConnector(pool, 'box', log), host: 'box', log, earlyExitMs: 60_000, ...options });
    const screen = new TerminalScreen(pty, columns, 24);
    open.push({ pty, screen });
    pty.open({ columns, rows: 24 });
    return { pty, screen };
  }

  /** The attach command as it is, each open the same (a restored terminal takes its session over from the old window's client). */
  function tmuxTerminal(name: string, onOpenRequest?: (r: OpenRequest) => void, restored?: { nonce?: string }) {
    return openTerminal({
      onOpenRequest,
      nonce: restored?.nonce,
      wrapCommand: (shellCommand, d) => attachCommand({ socket, name, shellCommand, probe, cols: d.columns, rows: d.rows, refreshEnv: { SBX_REFRESHED: name }, detachOthers: !!restored }),
    });
  }

  /** A terminal as the extension makes it (TmuxShellSession: re-opens re-attach and detach our stale client). */
  function sessionTerminal(name: string, options: Partial<SandboxTerminalOptions> = {}) {
    return openTerminal({ ...options, session: new TmuxShellSession({ name, socket, host: 'box', log: memoryLog() }) }, 200);
  }

  const sessions = async () => {
    const c = await poolTerminalConnector(pool, 'box', memoryLog())();
    try {
      return parseList((await c.run(listCommand(socket))).stdout);
    } finally {
      c.dispose();
    }
  };

  it('finds tmux through sh -c and not inside tmux', () => {
    assert.strictEqual(probe.available, true);
    assert.strictEqual(probe.insideTmux, false);
  });

  it('keeps the shell across a detach, addresses sessions exactly, refuses a session held elsewhere, kills on close', async () => {
    const first = tmuxTerminal('sbx-slot10');
    await first.screen.waitFor(/tmux-test# $|tmux-test\$ $/m, 'the prompt in tmux');
    first.pty.handleInput('export KEEP=kept-$((6*7)); tmux -L "' + socket + '" show-options -t =sbx-slot10: destroy-unattached; tmux -L "' + socket + '" show-options -t =sbx-slot10: prefix; echo "in=${TMUX:+yes}"\r');
    await first.screen.waitFor(/^destroy-unattached off\nprefix None\nin=yes$/m, 'our session options (no prefix key: Ctrl-B reaches the shell)');
    first.pty.close();

    // A bare `-t sbx-slot1` would find sbx-slot10 by prefix; ours creates its own session.
    const other = tmuxTerminal('sbx-slot1');
    await other.screen.waitFor(/tmux-test[#$] $/m, 'the second prompt');
    other.pty.handleInput('echo "keep=${KEEP:-none}"\r');
    await other.screen.waitFor(/^keep=none$/m, 'a fresh shell in a new session');
    other.pty.close();
    assert.deepStrictEqual((await sessions()).map((s) => s.name).sort(), ['sbx-slot1', 'sbx-slot10']);

    const again = tmuxTerminal('sbx-slot10');
    await again.screen.waitFor(/tmux-test[#$] $/m, 'the re-attached prompt');
    again.pty.handleInput('echo "keep=$KEEP"; tmux -L "' + socket + '" show-environment -t =sbx-slot10 SBX_REFRESHED\r');
    await again.screen.waitFor(/^keep=kept-42\nSBX_REFRESHED=sbx-slot10$/m, 'the same shell, refreshed variables');

    const intruder = tmuxTerminal('sbx-slot10');
    await intruder.screen.waitFor(/attached elsewhere[\s\S]*exit code 75/, 'a refusal to attach a held session');

    const c = await poolTerminalConnector(pool, 'box', memoryLog())();
    try {
      await c.run(killCommand('sbx-slot1', socket));
    } finally {
      c.dispose();
    }
    assert.deepStrictEqual((await sessions()).map((s) => s.name), ['sbx-slot10']);
  });

  it('a detach (C-b d, another attach -d) keeps the terminal open, says so, and a key re-attaches the running session', async () => {
    const t = tmuxTerminal('sbx-detach');
    await t.screen.waitFor(/tmux-test[#$] $/m, 'the prompt');
    let closedWith: number | void | undefined;
    t.pty.onDidClose((code) => (closedWith = code));
    t.pty.handleInput('export KEEP=still-$((6*7)); tmux -L "' + socket + '" detach-client\r');
    await t.screen.waitFor(/Detached from its session on box; it keeps running there\./, 'the detached line');
    assert.strictEqual(closedWith, undefined, 'the terminal did not close');
    assert.ok((await sessions()).some((s) => s.name === 'sbx-detach' && s.attached === 0), 'the session runs on, unattached');
    t.pty.handleInput('x');
    await t.screen.waitFor(/tmux-test[#$] $/m, 'the re-attached prompt');
    t.pty.handleInput('echo "keep=$KEEP"\r');
    await t.screen.waitFor(/^keep=still-42$/m, 'the same shell');
    assert.strictEqual(closedWith, undefined);
  });

  it('closes with the shell\'s exit status through tmux (exit 3 → 3) and leaves no session or status file', async () => {
    const t = tmuxTerminal('sbx-exit3');
    await t.screen.waitFor(/tmux-test[#$] $/m, 'the prompt');
    const code = new Promise<number | void>((resolve) => t.pty.onDidClose(resolve));
    t.pty.handleInput('exit 3\r');
    assert.strictEqual(await code, 3);
    assert.ok(!(await sessions()).some((s) => s.name === 'sbx-exit3'), 'the session ended with its shell');
    const dir = path.join(sshd.tmuxTmpdir, `tmux-${process.getuid?.() ?? 0}`);
    assert.deepStrictEqual(fs.readdirSync(dir).filter((n) => n.startsWith(`${socket}.exit-`)), []);
  });

  it('after a reload, offers back only remembered sessions that are alive, unattached and not closed by the user, and kills those the user closed', async () => {
    const data = new Map<string, unknown>();
    const store = { get: <T>(k: string) => data.get(k) as T | undefined, update: async (k: string, v: unknown) => void data.set(k, v) };
    const memory = new OpenSessions(store);
    const closedByUser = new ClosedSessions(store);
    const held = tmuxTerminal('sbx-held');
    await held.screen.waitFor(/tmux-test[#$] $/m, 'the prompt of a terminal another window holds');
    const c = await poolTerminalConnector(pool, 'box', memoryLog())();
    try {
      await c.run(`tmux -L ${socket} new-session -d -s sbx-keep1 && tmux -L ${socket} new-session -d -s sbx-userclosed`);
      await memory.add('box', { name: 'sbx-keep1', cwd: '/tmp' });
      await memory.add('box', { name: 'sbx-held' });
      await memory.add('box', { name: 'sbx-userclosed' });
      await memory.add('box', { name: 'sbx-gone' });
      await closedByUser.add('box', 'sbx-userclosed');
      data.set('sandboxExplorer.terminal.openSessions', { ...(data.get('sandboxExplorer.terminal.openSessions') as object), other: [{ name: 'not ours; rm -rf /' }, 'junk'] });
      assert.deepStrictEqual(await memory.restorable('box', c, closedByUser, socket), [{ name: 'sbx-keep1', cwd: '/tmp' }]);
      assert.deepStrictEqual(memory.of('box').map((s) => s.name), ['sbx-keep1', 'sbx-held'], 'the gone ones are forgotten');
      assert.deepStrictEqual(memory.hosts(), ['box'], 'invalid entries are ignored');
      assert.ok(!(await sessions()).some((s) => s.name === 'sbx-userclosed'), 'closed by the user while the connection was down: killed now');
      assert.ok(!closedByUser.has('box', 'sbx-userclosed'), 'gone: no longer guarded');
    } finally {
      await c.run(`tmux -L ${socket} kill-session -t =sbx-keep1; tmux -L ${socket} kill-session -t =sbx-userclosed; true`);
      c.dispose();
    }
  });

  it('a restored terminal reuses its session\'s nonce (kept with it), so `code` requests from the old shell still arrive', async () => {
    const data = new Map<string, unknown>();
    const memory = new OpenSessions({ get: <T>(k: string) => data.get(k) as T | undefined, update: async (k: string, v: unknown) => void data.set(k, v) });
    const first = tmuxTerminal('sbx-nonce');
    await first.screen.waitFor(/tmux-test[#$] $/m, 'the prompt');
    await memory.add('box', { name: 'sbx-nonce', nonce: first.pty.nonce });
    first.pty.dispose(); // the window reloads: the session stays
    const [remembered] = memory.of('box');
    assert.strictEqual(remembered.nonce, first.pty.nonce, 'the nonce is kept with the session');
    const requests: OpenRequest[] = [];
    const again = tmuxTerminal('sbx-nonce', (r) => requests.push(r), remembered);
    assert.strictEqual(again.pty.nonce, first.pty.nonce);
    await again.screen.waitFor(/tmux-test[#$] $/m, 'the re-attached prompt');
    again.pty.handleInput('cd / && code etc/hostname; echo done-$((2+1))\r');
    await again.screen.waitFor(/^done-3\ntmux-test[#$] $/m, 'the command and the next prompt');
    assert.deepStrictEqual(requests, [{ path: '/etc/hostname', kind: 'file' }]);
    again.pty.close();
  });

  it('shell integration through tmux: every prompt, the first one too, arrives as A, prompt text, B (what VS Code reads the command line from)', async () => {
    const t = tmuxTerminal('sbx-marks');
    const marks = t.screen.recordShellMarks();
    await t.screen.waitFor(/tmux-test[#$] $/m, 'the prompt');
    await t.screen.waitForMarks(marks, 'B', 1);
    t.pty.handleInput('echo hi-$((1+1))\r');
    await t.screen.waitFor(/^hi-2\ntmux-test[#$] $/m, 'the command and the next prompt');
    await t.screen.waitForMarks(marks, 'B', 2);
    const seen = marks.map((m) => m.kind).filter((k) => 'ABCDE'.includes(k)).join('');
    assert.strictEqual(seen, 'ABECDAB', `prompt marks in order, the first prompt's included: ${JSON.stringify(marks)}`);
    for (const m of marks.filter((m) => m.kind === 'A')) assert.deepStrictEqual([m.x, m.before], [0, ''], `A at the start of its line: ${JSON.stringify(marks)}`);
    for (const m of marks.filter((m) => m.kind === 'B')) assert.match(m.before, /^tmux-test[#$] $/, `B after the prompt text: ${JSON.stringify(marks)}`);
    assert.deepStrictEqual(marks.filter((m) => m.kind === 'D').map((m) => m.data), ['D;0']);
    t.pty.close();
  });

  it('after a dropped connection: D ends what the editor tracked, and the re-attached shell marks its prompt again (A, B after the prompt text)', async () => {
    const { pty, screen } = sessionTerminal('sbx-remark');
    const marks = screen.recordShellMarks();
    await screen.waitFor(/tmux-test[#$] $/m, 'the prompt');
    await screen.waitForMarks(marks, 'B', 1);
    const since = await marksAcrossDrop(screen, pty, marks, () => sshd.dropConnections());
    assert.deepStrictEqual(since.map((m) => m.data), ['D', 'A', 'B'], JSON.stringify(marks));
    const [, a, b] = since;
    const before = marks.length - since.length;
    assert.strictEqual(a.x, 0);
    assert.match(b.before, /^tmux-test[#$] $/, 'B where the input starts');
    // And the shell goes on as before: its next command is marked as usual.
    pty.handleInput('echo on-$((1+1))\r');
    await screen.waitFor(/^on-2\ntmux-test[#$] $/m, 'the next prompt');
    await screen.waitForMarks(marks, 'B', 3);
    assert.deepStrictEqual(marks.slice(before + 3).map((m) => m.kind).filter((k) => k !== 'P'), ['E', 'C', 'D', 'A', 'B']);
  });

  it('a terminal with a folder and many variables (a long start-up command) still runs in tmux, in that folder, UTF-8 intact (no locale set)', async () => {
    const folder = path.join(sshd.root, 'a folder with spaces');
    fs.mkdirSync(folder, { recursive: true });
    const env = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`SBX_VAR_${i}`, `value ${i} with 'quotes' and \\ and $dollars ✓`]));
    const { pty, screen } = sessionTerminal('sbx-long', { cwd: folder, env });
    await screen.waitFor(/tmux-test[#$] $/m, 'the prompt');
    pty.handleInput('echo "in=${TMUX:+tmux} pwd=$PWD v=$SBX_VAR_39"\r');
    await screen.waitFor(new RegExp(`^in=tmux pwd=${folder} v=value 39 with 'quotes' and \\\\ and \\$dollars ✓$`, 'm'), 'tmux, the folder and the variables');
  });

  it('a binding the user removed is bound again at the next prompt: the re-attach key never lands on the command line', async () => {
    const { pty, screen } = sessionTerminal('sbx-unbound');
    const marks = screen.recordShellMarks();
    await screen.waitFor(/tmux-test[#$] $/m, 'the prompt');
    pty.handleInput("bind -r '\\e[5379~'\r");
    await screen.waitForMarks(marks, 'B', 2);
    pty.handleInput('echo x');
    await screen.waitFor(/tmux-test[#$] echo x$/m, 'the typed text on the command line');
    const reopened = new Promise<void>((resolve) => pty.onDidOpenChannel(resolve));
    sshd.dropConnections();
    await reopened;
    await screen.waitForMarks(marks, 'B', 3);
    pty.handleInput('y\r');
    await screen.waitFor(/^xy\ntmux-test[#$] $/m, 'the typed line ran as typed');
  });

  for (const [label, setup, reader] of [
    ['a program the shell runs', '', (out: string) => `cat > ${out}`],
    // bash-preexec and late DEBUG traps take our command hook over: the state file still says "prompt".
    ['a program the shell runs after our DEBUG trap was replaced', 'trap - DEBUG', (out: string) => `cat > ${out}`],
    ['a program in another window the shell opened', '', (out: string) => `tmux new-window "cat > ${out}"`],
  ] as const) {
    it(`after a dropped connection, ${label} gets nothing from the re-attach (the redraw key goes to a shell at its prompt only)`, async () => {
      const { pty, screen } = sessionTerminal(`sbx-reader${label.length}`);
      await screen.waitFor(/tmux-test[#$] $/m, 'the prompt');
      const out = path.join(sshd.root, `reader-got-${label.length}`);
      if (setup) {
        pty.handleInput(`${setup}\r`);
        await screen.waitFor(new RegExp(`${setup}\\ntmux-test[#$] $`, 'm'), 'the next prompt');
      }
      pty.handleInput(`${reader(out)}\r`);
      // Nothing signals that cat is reading: wait for the file it creates, bounded.
      for (let i = 0; i < 100 && !fs.existsSync(out); i++) await new Promise((r) => setTimeout(r, 20));
      const reopened = new Promise<void>((resolve) => pty.onDidOpenChannel(resolve));
      sshd.dropConnections();
      await reopened;
      // Give a wrongly sent key time to arrive (the shell's redraw waits 0.2 s) before cat ends.
      await new Promise((r) => setTimeout(r, 800));
      pty.handleInput('typed\r\x04');
      // cat ends with the EOF; what it read is in the file.
      for (let i = 0; i < 100 && fs.readFileSync(out, 'utf8') !== 'typed\n'; i++) await new Promise((r) => setTimeout(r, 20));
      assert.strictEqual(fs.readFileSync(out, 'utf8'), 'typed\n');
    });
  }

  it('a re-attach that finds its session gone (ended on the sandbox while the connection was down) says so in the new shell', async () => {
    const { pty, screen } = sessionTerminal('sbx-gone');
    await screen.waitFor(/tmux-test[#$] $/m, 'the prompt');
    assert.strictEqual(pty.persistent, true);
    pty.handleInput('export OLD=yes\r');
    await screen.waitFor(/export OLD=yes\ntmux-test[#$] $/m, 'the next prompt');
    const reopened = new Promise<void>((resolve) => pty.onDidOpenChannel(resolve));
    // Both synchronous: the pool cannot reconnect before the session is gone.
    sshd.dropConnections();
    sshd.tmux(socket, 'kill-session', '-t', '=sbx-gone');
    await reopened;
    await screen.waitFor(/Reconnected to box\. Its tmux session was gone \(it ended on the sandbox while the connection was down\); this is a new shell\.\ntmux-test[#$] $/m, 'the gone line, then a prompt');
    pty.handleInput('echo "old=${OLD:-no}"\r');
    await screen.waitFor(/^old=no$/m, 'a fresh shell');
    assert.deepStrictEqual((await sessions()).filter((s) => s.name === 'sbx-gone').length, 1, 'in a new session of the same name');
  });

  it('an exit status left by an earlier session of the same name is not taken for this one: a detach still keeps the terminal', async () => {
    const dir = path.join(sshd.tmuxTmpdir, `tmux-${process.getuid?.() ?? 0}`);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // That session's shell ended while no client was attached: nobody read its status.
    fs.writeFileSync(path.join(dir, `${socket}.exit-sbx-stale`), '7\n');
    const t = tmuxTerminal('sbx-stale');
    await t.screen.waitFor(/tmux-test[#$] $/m, 'the prompt');
    let closedWith: number | void | undefined;
    t.pty.onDidClose((code) => (closedWith = code));
    t.pty.handleInput(`tmux -L "${socket}" detach-client\r`);
    await t.screen.waitFor(/Detached from its session on box; it keeps running there\./, 'the detached line');
    assert.strictEqual(closedWith, undefined, 'not closed with the old status');
  });

  it('variables refreshed on a re-attach keep a value ending in ";" and every one after it', async () => {
    const refreshEnv = { SBX_A: 'echo hi;', SBX_B: ';', SBX_C: 'after' };
    const wrap = (detachOthers: boolean) => (shellCommand: string, d: { columns: number; rows: number }) => attachCommand({ socket, name: 'sbx-semi', shellCommand, probe, cols: d.columns, rows: d.rows, refreshEnv, detachOthers });
    const first = openTerminal({ wrapCommand: wrap(false) });
    await first.screen.waitFor(/tmux-test[#$] $/m, 'the prompt');
    first.pty.dispose(); // the window goes; the session stays
    const again = openTerminal({ wrapCommand: wrap(true) });
    await again.screen.waitFor(/tmux-test[#$] $/m, 'the re-attached prompt');
    assert.strictEqual(sshd.tmux(socket, 'show-environment', '-t', '=sbx-semi', 'SBX_A'), 'SBX_A=echo hi;\n');
    assert.strictEqual(sshd.tmux(socket, 'show-environment', '-t', '=sbx-semi', 'SBX_B'), 'SBX_B=;\n');
    assert.strictEqual(sshd.tmux(socket, 'show-environment', '-t', '=sbx-semi', 'SBX_C'), 'SBX_C=after\n');
  });

  it('no process on the sandbox shows the terminal\'s nonce in its command line once the shell runs (others may list them)', async () => {
    const { pty, screen } = sessionTerminal('sbx-argv');
    await screen.waitFor(/tmux-test[#$] $/m, 'the prompt');
    assert.strictEqual(pty.persistent, true);
    const showing = fs
      .readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .filter((pid) => {
        try {
          return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(pty.nonce);
        } catch {
          return false;
        }
      });
    assert.deepStrictEqual(showing, []);
  });

  it('closing the terminal ends a loop its shell runs (nothing left running on the sandbox)', async () => {
    const { pty, screen } = sessionTerminal('sbx-loop');
    await screen.waitFor(/tmux-test[#$] $/m, 'the prompt');
    const pidFile = path.join(sshd.root, 'loop-shell-pid');
    pty.handleInput(`echo $$ > ${pidFile}; while :; do sleep 0.1; done\r`);
    for (let i = 0; i < 100 && !fs.existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 20));
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    assert.ok(pid > 0 && fs.existsSync(`/proc/${pid}`), 'the shell runs its loop');
    pty.close();
    // Nothing signals the remote shell's end: watch /proc, bounded.
    for (let i = 0; i < 100 && fs.existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(!fs.existsSync(`/proc/${pid}`), 'the shell and its loop ended with the session');
  });

  it('a tmux that cannot start a session gives a plain shell and says so', async () => {
    // tmux refuses a socket folder others may write to: every tmux command fails.
    const dir = path.join(sshd.tmuxTmpdir, `tmux-${process.getuid?.() ?? 0}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.chmodSync(dir, 0o777);
    try {
      const t = tmuxTerminal('sbx-broken');
      // (80 columns: the note wraps.)
      await t.screen.waitFor(/tmux could not start a session[\s\S]*tmux-test[#$] $/, 'the note and a prompt');
      t.pty.handleInput('echo "in=${TMUX:-plain}"\r');
      await t.screen.waitFor(/^in=plain$/m, 'a plain shell');
      t.pty.close();
    } finally {
      fs.chmodSync(dir, 0o700);
    }
  });

  it('passes `code` requests and OSC 633 through tmux', async () => {
    const requests: OpenRequest[] = [];
    let raw = '';
    const t = tmuxTerminal('sbx-links', (r) => requests.push(r));
    t.pty.onDidWrite((d) => (raw += d));
    await t.screen.waitFor(/tmux-test[#$] $/m, 'the prompt');
    t.pty.handleInput('cd / && code etc/hostname; echo done-$((1+1))\r');
    // The D sequence is written before the next prompt.
    await t.screen.waitFor(/^done-2\ntmux-test[#$] $/m, 'the command and the next prompt');
    assert.deepStrictEqual(requests, [{ path: '/etc/hostname', kind: 'file' }]);
    if (probe.version && (probe.version[0] > 3 || (probe.version[0] === 3 && probe.version[1] >= 3))) assert.ok(raw.includes('\x1b]633;D;0\x07'), 'OSC 633 reached the outer terminal');
  });
});
