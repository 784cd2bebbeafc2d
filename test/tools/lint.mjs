// Architecture lint: src/common, src/ssh and the transfer core run in plain Node, so they must not import `vscode`.
import * as fs from 'fs';
import * as path from 'path';

const PLAIN_NODE_DIRS = ['src/common', 'src/ssh', 'src/fs/transfer', 'src/gateways/api'];
const importsVscode = /(?:from\s+['"]vscode['"])|(?:require\(\s*['"]vscode['"]\s*\))|(?:import\(\s*['"]vscode['"]\s*\))/;

function* walk(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (/\.(ts|js|mjs)$/.test(entry.name)) yield full;
  }
}

const problems = [];
for (const dir of PLAIN_NODE_DIRS) {
  for (const file of walk(dir)) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (importsVscode.test(line)) problems.push(`${file}:${i + 1}: imports 'vscode', but ${dir}/ must run in plain Node`);
    });
  }
}
// The forwarding core: plain Node, never another feature folder, and src/ssh only through its
// one adapter (re-pointed at the channel layer later). A vscode layer may live in src/forwarding/editor/.
const FORWARDING_ADAPTER = 'src/forwarding/sshConnectionPort.ts';
for (const file of walk('src/forwarding')) {
  if (file.startsWith(path.join('src/forwarding', 'editor'))) continue;
  fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    const where = `${file}:${i + 1}`;
    if (importsVscode.test(line)) problems.push(`${where}: imports 'vscode', but the forwarding core must run in plain Node`);
    if (/from\s+['"]\.\.\/(fs|hosts|terminal|lsp)\b/.test(line)) problems.push(`${where}: feature folders never import each other`);
    if (/from\s+['"]\.\.\/ssh\b/.test(line) && file !== FORWARDING_ADAPTER) problems.push(`${where}: only ${FORWARDING_ADAPTER} may import src/ssh`);
  });
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`lint: ${PLAIN_NODE_DIRS.join(', ')} free of 'vscode' imports; src/forwarding reaches src/ssh only through its adapter`);
