// First step of `npm test` and `npm start` (test/tools/setup.mjs): runs `npm ci` when
// node_modules is missing or does not hold what package-lock.json asks for. Plain Node with
// no dependencies, since it runs before there are any.
//
// What is installed is read from npm's own record, node_modules/.package-lock.json (written
// by every `npm ci`/`npm install`): every package there must be in package-lock.json at the
// same version, and every package of package-lock.json must be there unless it is optional
// (other platforms' esbuild binaries). Reading two JSON files costs milliseconds, so a
// second run does nothing and costs well under a second.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { fileURLToPath } from 'url';
import { elapsed, fail, say } from './setupStep.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Why node_modules needs `npm ci`, or undefined when it matches the lock file.
 * `lock` and `installed` are the parsed package-lock.json and node_modules/.package-lock.json
 * (`installed` undefined when that file is missing or unreadable).
 */
export function staleReason(lock, installed) {
  if (!installed) return 'node_modules has no record of an install (node_modules/.package-lock.json)';
  const wanted = lock?.packages ?? {};
  const have = installed.packages ?? {};
  for (const [where, entry] of Object.entries(wanted)) {
    if (where === '' || entry.link) continue; // the project itself
    const got = have[where];
    if (!got) {
      if (entry.optional) continue; // npm skips optional packages for other platforms
      return `${where.replace(/^node_modules\//, '')} is not installed`;
    }
    if (got.version !== entry.version) return `${where.replace(/^node_modules\//, '')} is ${got.version}, package-lock.json wants ${entry.version}`;
  }
  const extra = Object.keys(have).find((where) => !(where in wanted));
  if (extra) return `${extra.replace(/^node_modules\//, '')} is installed but not in package-lock.json`;
  return undefined;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** `npm ci` with the npm that runs this script (npm exports its CLI path to scripts). */
function npmCi() {
  const cli = process.env.npm_execpath;
  const [command, args] = cli && /npm-cli\.js$/.test(cli) ? [process.execPath, [cli]] : ['npm', []];
  return spawnSync(command, [...args, 'ci', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit' });
}

/** `dryRun`: say what would be done, change nothing. */
export function ensureDeps({ dryRun = false } = {}) {
  const started = performance.now();
  const nodeModules = path.join(ROOT, 'node_modules');
  const lock = readJson(path.join(ROOT, 'package-lock.json'));
  if (!lock) fail('package-lock.json is missing or unreadable');
  const link = fs.lstatSync(nodeModules, { throwIfNoEntry: false });
  const reason = !link ? 'node_modules is missing' : staleReason(lock, readJson(path.join(nodeModules, '.package-lock.json')));
  if (!reason) {
    say(`Node dependencies match package-lock.json, nothing to install (${elapsed(started)})`);
    return;
  }
  if (link?.isSymbolicLink()) {
    // A checkout sharing another one's node_modules (a git worktree): `npm ci` here would
    // replace what the other checkout uses, so only say so.
    say(`warning: ${reason}, but node_modules links to ${fs.readlinkSync(nodeModules)}; run npm ci there if the build fails`);
    return;
  }
  if (dryRun) {
    say(`would run npm ci: ${reason}`);
    return;
  }
  say(`installing Node dependencies with npm ci (${reason}; a minute or two)`);
  const ci = npmCi();
  if (ci.status !== 0) fail(`npm ci failed (${ci.error?.message ?? `exit code ${ci.status ?? ci.signal}`}) after ${elapsed(started)}`);
  const still = staleReason(lock, readJson(path.join(nodeModules, '.package-lock.json')));
  if (still) fail(`npm ci finished but ${still}`);
  say(`Node dependencies installed in ${elapsed(started)}`);
}
