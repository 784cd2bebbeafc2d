// The set-up's decisions: which packages each command needs, and what happens when some
// are missing. The probing and apt-get themselves are exercised by running the script
// (SBX_SETUP_PRETEND_MISSING, --dry-run), not here.
import * as assert from 'assert';
import { needed, PACKAGES, plan } from '../../tools/ensureSystem.mjs';

const names = (pkgs) => pkgs.map((p) => p.name);
const pkg = (name) => PACKAGES.find((p) => p.name === name);

describe('ensureSystem: which packages each command needs', () => {
  it('npm test needs the sandbox, the browser, the partition and watch tools and what builds code-server', () => {
    assert.deepStrictEqual(names(needed('test', { desktopCode: true })).sort(), [
      'chromium', 'csh', 'fish', 'g++', 'inotify-tools', 'iproute2', 'iptables', 'libkrb5-dev', 'make', 'openssh-client', 'openssh-server', 'python3', 'tmux', 'zsh',
    ]);
  });

  it('npm start needs no browser; it builds code-server only when there is no desktop `code`', () => {
    assert.deepStrictEqual(names(needed('start', { desktopCode: true })), ['openssh-server', 'openssh-client']);
    assert.deepStrictEqual(names(needed('start', { desktopCode: false })), ['openssh-server', 'openssh-client', 'libkrb5-dev', 'g++', 'make', 'python3']);
  });

  it('refuses an unknown command', () => {
    assert.throws(() => needed('bench', { desktopCode: false }), /unknown target bench/);
  });
});

describe('ensureSystem: what to do about missing packages', () => {
  it('does nothing when nothing is missing', () => {
    assert.deepStrictEqual(plan([], { isRoot: false, hasApt: true }), { action: 'none' });
  });

  it('as root: apt-get update once, then one install of everything missing', () => {
    const step = plan([pkg('chromium'), pkg('iptables')], { isRoot: true, hasApt: true });
    assert.strictEqual(step.action, 'install');
    assert.deepStrictEqual(
      step.commands.map((argv) => argv.filter((a) => !a.startsWith('-o') && !a.startsWith('DPkg'))),
      [['apt-get', 'update'], ['apt-get', 'install', '-y', 'chromium', 'iptables']],
    );
  });

  it('not root: the one sudo line to run, installing nothing', () => {
    assert.deepStrictEqual(plan([pkg('openssh-server'), pkg('libkrb5-dev')], { isRoot: false, hasApt: true }), {
      action: 'ask',
      line: 'sudo apt-get update && sudo apt-get install -y openssh-server libkrb5-dev',
    });
  });

  it('without apt-get: fails naming the packages', () => {
    const step = plan([pkg('inotify-tools')], { isRoot: true, hasApt: false });
    assert.strictEqual(step.action, 'fail');
    assert.match(step.message, /inotify-tools/);
  });
});
