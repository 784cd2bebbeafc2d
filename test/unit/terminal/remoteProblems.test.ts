// Problem matching for sandbox tasks: $tsc and $gcc lines resolved to absolute remote paths.
import * as assert from 'assert';
import { LineSplitter, matchProblem, ownMatchers } from '../../../src/terminal/task/remoteProblems';

describe('sandbox task problem matching', () => {
  it('matches tsc and gcc lines against the task folder, and only with the named matchers', () => {
    assert.deepStrictEqual(matchProblem("src/a.ts(1,5): error TS2322: Type 'string' is not assignable.", ['$tsc'], '/w/p'), {
      path: '/w/p/src/a.ts',
      line: 1,
      column: 5,
      severity: 'error',
      message: "Type 'string' is not assignable.",
      code: 'TS2322',
    });
    assert.deepStrictEqual(matchProblem('../lib/x.c:3:7: warning: unused variable', ['$gcc'], '/w/p'), { path: '/w/lib/x.c', line: 3, column: 7, severity: 'warning', message: 'unused variable', code: undefined });
    assert.strictEqual(matchProblem('/abs/y.c:9: error: boom', ['$gcc'], undefined)?.path, '/abs/y.c');
    assert.strictEqual(matchProblem('src/a.ts(1,5): error TS1: x', ['$gcc'], '/w'), undefined, 'a tsc line needs $tsc');
    assert.strictEqual(matchProblem('rel.c:1:1: error: x', ['$gcc'], undefined), undefined, 'a relative path needs the folder');
    assert.deepStrictEqual(ownMatchers(['$tsc', '$eslint-stylish', '$gcc']), ['$tsc', '$gcc']);
  });

  it('splits streamed output into lines across chunks', () => {
    const s = new LineSplitter();
    assert.deepStrictEqual(s.push('a\nb'), ['a']);
    assert.deepStrictEqual(s.push('c\nd\n'), ['bc', 'd']);
    assert.deepStrictEqual(s.push('tail'), []);
    assert.deepStrictEqual(s.end(), ['tail']);
  });
});
