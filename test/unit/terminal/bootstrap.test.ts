// The terminal's start-up command: its arguments survive any login shell's quoting and
// /bin/sh's printf %b byte for byte (checked with the real /bin/sh), and it is one line.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { printfEscape, setupLines, terminalCommand } from '../../../src/terminal/shell/bootstrap';

describe('terminal start-up command', () => {
  it('printf %b of the escaped text gives the original bytes back', () => {
    const text = "it's 100% \\n not a newline!\nbut this is; é ü 😀 \t\x1b $HOME `x`";
    const escaped = printfEscape(text);
    assert.match(escaped, /^[\x20-\x7e]*$/);
    assert.doesNotMatch(escaped, /['!%]/);
    const back = execFileSync('/bin/sh', ['-c', 'printf "%b" "$1"', 'sh', escaped]);
    assert.strictEqual(back.toString('utf8'), text);
  });

  it('is a single line whose words are all single-quoted (csh and fish read it too)', () => {
    const cmd = terminalCommand({ cwd: "/srv/it's here", env: { A: 'b c' }, nonce: 'ab12' });
    assert.doesNotMatch(cmd, /\n/);
    assert.match(cmd, /^exec \/bin\/sh -c '[^']*' sbx-terminal( '[^']*'){7}$/);
  });

  it('exports only valid names and quotes the folder', () => {
    const lines = setupLines({ cwd: "/a b/it's", env: { GOOD: "x'y", 'BAD-NAME': 'z' }, nonce: 'n' });
    assert.match(lines, /^export GOOD='x'\\''y'$/m);
    assert.doesNotMatch(lines, /BAD-NAME/);
    assert.match(lines, /cd -- '\/a b\/it'\\''s'/);
  });
});
