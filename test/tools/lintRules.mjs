// The architecture rules `npm run lint` enforces, as functions so a test can run them on fixtures:
// - src/common, src/ssh and the transfer core run in plain Node: they never import `vscode`;
// - only src/ssh/** imports `ssh2` (or its subpaths): nothing above the connection core sees it;
// - feature folders never import each other: shared things live in src/common or src/ssh
//   (or src/editor for editor-side types), or are handed over by the composition root.
import * as fs from 'fs';
import * as path from 'path';

export const PLAIN_NODE_DIRS = ['src/common', 'src/ssh', 'src/fs/transfer', 'src/gateways/api'];
export const SSH2_DIR = 'src/ssh';
/** src/extension.ts, src/common, src/ssh and src/editor are not features. */
export const FEATURE_DIRS = ['src/fs', 'src/hosts', 'src/terminal', 'src/forwarding', 'src/keys', 'src/gateways'];

const SPECIFIERS = [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s+['"]([^'"]+)['"]/g, /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];

/** Every module a line imports (static, side-effect, re-export, require, dynamic import). */
export function importsOf(line) {
  const found = [];
  for (const re of SPECIFIERS) for (const m of line.matchAll(re)) found.push(m[1]);
  return found;
}

const under = (file, dir) => file === dir || file.startsWith(dir + '/');
const featureOf = (file) => FEATURE_DIRS.find((dir) => under(file, dir));

/**
 * Problems in one file. `file` is relative to the project root with forward slashes
 * (`src/fs/a.ts`); relative imports are resolved against it.
 */
export function checkSource(file, text) {
  const problems = [];
  const plain = PLAIN_NODE_DIRS.find((dir) => under(file, dir));
  const feature = featureOf(file);
  text.split('\n').forEach((line, i) => {
    const at = `${file}:${i + 1}`;
    for (const spec of importsOf(line)) {
      if (spec === 'vscode' && plain) problems.push(`${at}: imports 'vscode', but ${plain}/ must run in plain Node`);
      if ((spec === 'ssh2' || spec.startsWith('ssh2/')) && !under(file, SSH2_DIR)) problems.push(`${at}: imports '${spec}', but only ${SSH2_DIR}/ may use ssh2`);
      if (feature && spec.startsWith('.')) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
        const other = featureOf(target);
        if (other && other !== feature) problems.push(`${at}: ${feature}/ imports ${target}, but feature folders never import each other (move the shared part to src/common or src/ssh, or pass it in from src/extension.ts)`);
      }
    }
  });
  return problems;
}

function* walk(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (/\.(ts|js|mjs)$/.test(entry.name)) yield full;
  }
}

/** Problems in every source file under `root`/src. */
export function checkTree(root) {
  const problems = [];
  for (const full of walk(path.join(root, 'src'))) {
    const file = path.relative(root, full).split(path.sep).join('/');
    problems.push(...checkSource(file, fs.readFileSync(full, 'utf8')));
  }
  return problems;
}
