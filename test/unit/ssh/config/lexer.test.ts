import * as assert from 'assert';
import { LexError, argvSplit, lexLine } from '../../../../src/ssh/config/lexer';

describe('ssh_config lexer', () => {
  it('skips blank lines and comments', () => {
    assert.strictEqual(lexLine(''), undefined);
    assert.strictEqual(lexLine('   \t'), undefined);
    assert.strictEqual(lexLine('# Host x'), undefined);
    assert.strictEqual(lexLine('   # indented'), undefined);
  });

  it('lower-cases the keyword and accepts `=` between keyword and value', () => {
    for (const line of ['User bob', 'USER=bob', '  user = bob', 'User =bob', '\tUser\t\tbob  \r']) {
      assert.deepStrictEqual(lexLine(line), { keyword: 'user', args: ['bob'], rest: 'bob' }, line);
    }
  });

  it('removes quotes and escapes like argv_split', () => {
    assert.deepStrictEqual(argvSplit('"a b" \'c d\' e\\ f "g\\"h" i\\j'), ['a b', 'c d', 'e f', 'g"h', 'i\\j']);
    assert.deepStrictEqual(argvSplit('"a"b\\"c'), ['ab"c']);
  });

  it('treats `#` as a comment only at the start of a word', () => {
    assert.deepStrictEqual(argvSplit('x#y # comment'), ['x#y']);
    assert.deepStrictEqual(lexLine('User sbx-1#tok')?.args, ['sbx-1#tok']);
  });

  it('keeps the rest of the line verbatim for ProxyCommand', () => {
    assert.strictEqual(lexLine('ProxyCommand ssh -W %h:%p  gw "q q" # x   ')?.rest, 'ssh -W %h:%p  gw "q q" # x');
  });

  it('rejects an unterminated quote and a keyword without a value', () => {
    assert.throws(() => lexLine('User "bob'), LexError);
    assert.throws(() => lexLine('User'), LexError);
    assert.throws(() => lexLine('User ='), LexError);
  });
});
