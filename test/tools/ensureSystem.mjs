// The Debian packages `npm test` and `npm start` need, checked on every run (a few file
// look-ups) and installed with apt-get when missing: directly when running as root,
// otherwise it prints the one `sudo apt-get …` line to run and stops. Run by
// test/tools/setup.mjs (pretest, prestart) and by .ci/run when not root. Plain Node with no
// dependencies: it runs before `npm ci`.
//
//   node test/tools/ensureSystem.mjs test|start [--dry-run]
//
// --dry-run prints what it would run and changes nothing. SBX_SETUP_PRETEND_MISSING="a b"
// treats packages a and b as missing, to try the install path on a machine that has them.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { elapsed, fail, isMain, say } from './setupStep.mjs';

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * `for` says who needs the package: `test` (npm test), `start` (npm start), `code-server`
 * (building code-server: npm test always, npm start when there is no desktop `code`).
 * A package is present when one of its `files` exists or one of its `commands` is found.
 */
export const PACKAGES = [
  { name: 'openssh-server', why: 'sshd, the sandbox the tests and npm start connect to', for: ['test', 'start'], files: ['/usr/sbin/sshd', '/usr/local/sbin/sshd'] },
  { name: 'openssh-client', why: 'ssh-keygen and ssh-agent', for: ['test', 'start'], commands: ['ssh-keygen', 'ssh-agent'] },
  { name: 'chromium', why: 'the browser the integration and end-to-end tests drive', for: ['test'], chromium: true },
  { name: 'tmux', why: 'persistent sandbox terminals (the tmux tests run it behind sshd)', for: ['test'], commands: ['tmux'] },
  { name: 'zsh', why: 'sandbox terminals whose login shell is zsh (the zsh tests log in with it)', for: ['test'], commands: ['zsh'] },
  { name: 'fish', why: 'terminal commands must parse in a fish login shell (the tmux tests run them with fish -c)', for: ['test'], commands: ['fish'] },
  { name: 'csh', why: 'terminal commands must parse in a csh login shell (the tmux tests run them with csh -c)', for: ['test'], commands: ['csh'] },
  { name: 'inotify-tools', why: 'inotifywait, for remote change watching', for: ['test'], commands: ['inotifywait'] },
  { name: 'iptables', why: 'cutting the network in the partition tests', for: ['test'], commands: ['iptables'] },
  { name: 'iproute2', why: 'network namespaces (ip netns) for the partition tests', for: ['test'], commands: ['ip'] },
  { name: 'libkrb5-dev', why: 'gssapi headers that code-server builds against', for: ['code-server'], files: ['/usr/include/gssapi/gssapi.h'] },
  { name: 'g++', why: "node-gyp, building code-server's native modules", for: ['code-server'], commands: ['g++'] },
  { name: 'make', why: "node-gyp, building code-server's native modules", for: ['code-server'], commands: ['make'] },
  { name: 'python3', why: "node-gyp, building code-server's native modules", for: ['code-server'], commands: ['python3'] },
];

/** The packages `target` needs; `npm start` builds code-server only without desktop `code`. */
export function needed(target, { desktopCode }) {
  if (target !== 'test' && target !== 'start') throw new Error(`unknown target ${target}; use test or start`);
  const wants = target === 'test' ? ['test', 'code-server'] : ['start', ...(desktopCode ? [] : ['code-server'])];
  return PACKAGES.filter((p) => p.for.some((f) => wants.includes(f)));
}

/**
 * What to do about the missing packages: nothing, install them (as root), or ask for the
 * one sudo line. `commands` are argv arrays run in order with DEBIAN_FRONTEND=noninteractive.
 */
export function plan(missing, { isRoot, hasApt }) {
  const names = missing.map((p) => p.name);
  if (!names.length) return { action: 'none' };
  if (!hasApt) return { action: 'fail', message: `missing ${names.join(', ')}, and apt-get is not here: install their equivalents` };
  // Wait for another apt run (unattended upgrades, a second checkout) instead of failing.
  const wait = ['-o', 'DPkg::Lock::Timeout=600'];
  if (isRoot) return { action: 'install', commands: [['apt-get', ...wait, 'update'], ['apt-get', ...wait, 'install', '-y', ...names]] };
  return { action: 'ask', line: `sudo apt-get update && sudo apt-get install -y ${names.join(' ')}` };
}

const SEARCH_DIRS = () => [...new Set([...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin', '/bin'])];

function onPath(command) {
  return SEARCH_DIRS().some((dir) => {
    try {
      fs.accessSync(path.join(dir, command), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function present(pkg, pretendMissing) {
  if (pretendMissing.includes(pkg.name)) return false;
  // The harness uses SBX_CHROMIUM when set (and says so when it is wrong).
  if (pkg.chromium) return !!process.env.SBX_CHROMIUM || CHROMIUM_CANDIDATES.some((c) => fs.existsSync(c));
  return (pkg.files ?? []).some((f) => fs.existsSync(f)) || (pkg.commands ?? []).some(onPath);
}

function run(argv, dryRun) {
  say(`${dryRun ? 'would run' : 'running'}: DEBIAN_FRONTEND=noninteractive ${argv.join(' ')}`);
  if (dryRun) return;
  const started = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) fail(`${argv.join(' ')} failed (${r.error?.message ?? `exit code ${r.status ?? r.signal}`}) after ${elapsed(started)}`);
}

/** Checks, and installs or asks for, what `npm <target>` needs; `dryRun` changes nothing. */
export function ensureSystem(target, { dryRun = false } = {}) {
  const started = performance.now();
  const pretendMissing = (process.env.SBX_SETUP_PRETEND_MISSING ?? '').split(/[\s,]+/).filter(Boolean);
  let wanted;
  try {
    wanted = needed(target, { desktopCode: onPath('code') });
  } catch (e) {
    fail(e.message);
  }
  const isRoot = process.getuid?.() === 0;
  const missing = wanted.filter((p) => !present(p, pretendMissing));
  const step = plan(missing, { isRoot, hasApt: onPath('apt-get') });
  const list = missing.map((p) => `  ${p.name.padEnd(15)} ${p.why}`).join('\n');
  switch (step.action) {
    case 'none':
      say(`system packages for npm ${target} are present, nothing to install (${elapsed(started)})`);
      break;
    case 'fail':
      fail(`npm ${target} needs these system packages:\n${list}\n${step.message}`);
      break;
    case 'ask':
      fail(`npm ${target} needs these system packages:\n${list}\nInstalling them needs root. Run this, then npm ${target} again:\n\n  ${step.line}\n`);
      break;
    case 'install':
      say(`${dryRun ? 'would install' : 'installing'} system packages for npm ${target} with apt-get (a few minutes):\n${list}`);
      for (const argv of step.commands) run(argv, dryRun);
      if (!dryRun) {
        const still = wanted.filter((p) => !present(p, []));
        if (still.length) fail(`apt-get finished but ${still.map((p) => p.name).join(', ')} still look missing`);
      }
      if (!dryRun) say(`system packages installed in ${elapsed(started)}`);
      break;
  }
  // A root-run sshd insists on its privilege separation directory.
  if (isRoot && !dryRun && wanted.some((p) => p.name === 'openssh-server')) fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
}

if (isMain(import.meta.url)) ensureSystem(process.argv[2], { dryRun: process.argv.includes('--dry-run') });
