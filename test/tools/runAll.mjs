// `npm test` (after pretest: lint, typecheck, build, build:tests): the three tiers in
// order, each in its own process group with an overall timeout. Prints one line per tier
// and, last, `N passed, N failed` summed over the tiers. Exits non-zero when a tier fails,
// times out or runs no tests.
//
// `node test/tools/runAll.mjs unit e2e` runs only the named tiers.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { fileURLToPath } from 'url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const minutes = (name, fallback) => Number(process.env[`SBX_TIMEOUT_${name.toUpperCase()}_MIN`] ?? fallback) * 60_000;
const resultsFile = (tier) => path.join(root, 'test-results', tier, 'results.json');

// Named here and in package.json's test:unit, not in .mocharc.unit.json: mocha adds a
// config's spec to the files named on its command line, so one file could not run alone.
const UNIT_SPECS = ['out/test/unit/**/*.test.js', 'test/unit/tools/**/*.test.mjs'];

const TIERS = [
  {
    name: 'unit',
    args: [path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--config', 'test/.mocharc.unit.json', '--reporter', 'out/test/harness/resultsReporter.js', ...UNIT_SPECS],
    env: { SBX_TEST_RESULTS: resultsFile('unit') },
    timeoutMs: minutes('unit', 10),
  },
  { name: 'integration', args: ['out/test/harness/runIntegration.js'], env: {}, timeoutMs: minutes('integration', 8) },
  { name: 'e2e', args: ['out/test/harness/runE2e.js'], env: {}, timeoutMs: minutes('e2e', 8) },
];

let current; // the running tier's child, stopped on Ctrl-C
let interrupted = false;

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

/** Runs one tier, echoing its output; resolves with exit code, output and whether it timed out. */
function runTier(tier) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, tier.args, { cwd: root, env: { ...process.env, ...tier.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    current = child;
    let output = '';
    const onData = (stream) => (d) => {
      output += d;
      stream.write(d);
    };
    child.stdout.on('data', onData(process.stdout));
    child.stderr.on('data', onData(process.stderr));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      process.stderr.write(`\n${tier.name}: timed out after ${tier.timeoutMs / 60_000} min; stopping it\n`);
      killGroup(child.pid, 'SIGTERM');
      setTimeout(() => killGroup(child.pid, 'SIGKILL'), 30_000).unref();
    }, tier.timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      // Whatever the tier left in its group goes too.
      killGroup(child.pid, 'SIGKILL');
      current = undefined;
      resolve({ code, output, timedOut });
    });
  });
}

const strip = (text) => text.replace(/\x1b\[[0-9;]*m/g, '');

/** Counts from the tier's own summary line, its JSON results, or mocha's "N passing". */
function count(tier, output) {
  const lines = strip(output).split('\n');
  const summary = lines.reverse().map((l) => new RegExp(`^${tier.name}: (\\d+) passed, (\\d+) failed(?:, (\\d+) pending)?`).exec(l.trim())).find(Boolean);
  if (summary) return { passed: +summary[1], failed: +summary[2], pending: +(summary[3] ?? 0) };
  try {
    const r = JSON.parse(fs.readFileSync(resultsFile(tier.name), 'utf8'));
    return { passed: r.passed, failed: r.failed, pending: r.pending ?? 0 };
  } catch {
    /* fall through */
  }
  const text = strip(output);
  const n = (word) => +(new RegExp(`(\\d+) ${word}`).exec(text)?.[1] ?? 0);
  return { passed: n('passing'), failed: n('failing'), pending: n('pending') };
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    interrupted = true;
    if (current) killGroup(current.pid, 'SIGTERM');
    setTimeout(() => {
      if (current) killGroup(current.pid, 'SIGKILL');
      process.exit(130);
    }, 5000).unref();
  });
}

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !TIERS.some((t) => t.name === w));
if (unknown.length) {
  console.error(`unknown tier(s) ${unknown.join(', ')}; tiers are ${TIERS.map((t) => t.name).join(', ')}`);
  process.exit(2);
}
const summaries = [];
for (const tier of TIERS.filter((t) => !wanted.length || wanted.includes(t.name))) {
  if (interrupted) break;
  fs.rmSync(resultsFile(tier.name), { force: true });
  console.log(`\n=== ${tier.name} tests ===`);
  const started = Date.now();
  const { code, output, timedOut } = await runTier(tier);
  const counts = count(tier, output);
  const notes = [];
  // A crash or timeout the counts do not show still fails the tier.
  if ((code !== 0 || timedOut) && counts.failed === 0) {
    counts.failed = 1;
    notes.push(timedOut ? 'timed out' : `exit code ${code}`);
  } else if (timedOut) notes.push('timed out');
  if (counts.passed + counts.failed === 0) notes.push('no tests ran');
  const ok = code === 0 && !timedOut && counts.failed === 0 && counts.passed > 0;
  summaries.push({ name: tier.name, ...counts, ok, seconds: (Date.now() - started) / 1000, notes });
}

console.log('\n=== summary ===');
for (const s of summaries) {
  const pending = s.pending ? `, ${s.pending} pending` : '';
  const notes = s.notes.length ? ` [${s.notes.join('; ')}]` : '';
  console.log(`${`${s.name}:`.padEnd(13)}${s.passed} passed, ${s.failed} failed${pending} in ${s.seconds.toFixed(1)} s${s.ok ? '' : ' FAILED'}${notes}`);
}
const total = (key) => summaries.reduce((sum, s) => sum + s[key], 0);
console.log(`${total('passed')} passed, ${total('failed')} failed`);
process.exit(summaries.every((s) => s.ok) ? 0 : 1);
