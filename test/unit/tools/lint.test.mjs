// The architecture rules of `npm run lint`, run on fixture trees: each rule fails on a violation
// and stays quiet on what is allowed.
import * as assert from 'assert';
import * as path from 'path';
import { fileURLToPath } from 'url';
import { checkSource, checkTree, importsOf } from '../../tools/lintRules.mjs';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'lint');

describe('lint: architecture rules', () => {
  it('finds every violation in the bad tree, one line each', () => {
    const problems = checkTree(path.join(fixtures, 'bad')).sort();
    assert.deepStrictEqual(
      problems.map((p) => p.split(': ')[0]),
      [
        'src/common/requiresSsh2.js:1',
        'src/common/usesVscode.ts:1',
        'src/fs/importsHosts.ts:1',
        'src/fs/usesSsh2.ts:1',
        'src/terminal/dynamicImportsFs.ts:1',
        'src/terminal/ssh2Subpath.ts:1',
      ],
      problems.join('\n'),
    );
    assert.match(problems.find((p) => p.startsWith('src/fs/usesSsh2.ts')), /only src\/ssh\/ may use ssh2/);
    assert.match(problems.find((p) => p.startsWith('src/fs/importsHosts.ts')), /src\/fs\/ imports src\/hosts\/hostEntry, but feature folders never import each other/);
    assert.match(problems.find((p) => p.startsWith('src/terminal/dynamicImportsFs.ts')), /src\/terminal\/ imports src\/fs\/usesSsh2/);
    assert.match(problems.find((p) => p.startsWith('src/common/usesVscode.ts')), /imports 'vscode', but src\/common\/ must run in plain Node/);
  });

  it('allows ssh2 in src/ssh, features importing common/ssh/editor and themselves, the editor importing features, and comments', () => {
    assert.deepStrictEqual(checkTree(path.join(fixtures, 'good')), []);
  });

  it('reads every import form', () => {
    assert.deepStrictEqual(importsOf(`import a from 'x'; export { b } from "y"; import 'z'; const c = require('w'); await import('v');`).sort(), ['v', 'w', 'x', 'y', 'z']);
    assert.deepStrictEqual(checkSource('src/hosts/a.ts', `export type { HostsNode } from '../editor/hostsNode';`), []);
    assert.strictEqual(checkSource('src/forwarding/a.ts', `import { K } from '../keys/k';`).length, 1);
    assert.strictEqual(checkSource('src/extension.ts', `import { K } from './keys/k'; import { F } from './fs/f';`).length, 0, 'the composition root imports every feature');
  });
});
