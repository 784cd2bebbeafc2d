// The set-up `npm test` and `npm start` run first (pretest, prestart), in one Node process
// so that a second run, which finds everything in place, costs a fraction of a second:
// the Node dependencies (`npm ci` when node_modules does not match package-lock.json),
// then the Debian packages the command needs (apt-get as root, else the sudo line to run).
// Node 24 and code-server come later, on first use by the harness (test/harness/editorTools.ts).
//
//   node test/tools/setup.mjs test|start [--dry-run]
import { ensureDeps } from './ensureDeps.mjs';
import { ensureSystem } from './ensureSystem.mjs';
import { fail } from './setupStep.mjs';

const target = process.argv[2];
const dryRun = process.argv.includes('--dry-run');
if (target !== 'test' && target !== 'start') fail(`usage: node test/tools/setup.mjs test|start [--dry-run]`);
ensureDeps({ dryRun });
ensureSystem(target, { dryRun });
