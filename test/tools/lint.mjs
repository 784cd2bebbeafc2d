// Architecture lint (rules in lintRules.mjs): no `vscode` in plain-Node code, `ssh2` only in
// src/ssh, no imports between feature folders.
import { checkTree, FEATURE_DIRS, PLAIN_NODE_DIRS, SSH2_DIR } from './lintRules.mjs';

const problems = checkTree(process.cwd());
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`lint: ${PLAIN_NODE_DIRS.join(', ')} free of 'vscode' imports; 'ssh2' only in ${SSH2_DIR}; no imports between ${FEATURE_DIRS.join(', ')}`);
