// The pseudoterminal's output and input path without a connection: decoding, held input,
// and the open-request filter (split anywhere, bounded, OSC 633 untouched).
import * as assert from 'assert';
import { MAX_PENDING_INPUT_BYTES, PendingInput } from '../../../src/terminal/inputBuffer';
import { MAX_SEQUENCE_CHARS, OpenRequest, OpenRequestFilter } from '../../../src/terminal/openRequestFilter';
import { canonicalEncoding, encodeInput, StreamingTextDecoder } from '../../../src/terminal/textDecoder';

const NONCE = '0123abcd';
const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');
const openSeq = (p: string, kind = 'f', nonce = NONCE, end = '\x07') => `\x1b]5379;open;${nonce};${kind};${hex(p)}${end}`;

function run(chunks: string[], nonce = NONCE): { out: string; opened: OpenRequest[] } {
  const opened: OpenRequest[] = [];
  const filter = new OpenRequestFilter(nonce, (r) => opened.push(r));
  let out = chunks.map((c) => filter.write(c)).join('');
  out += filter.end();
  return { out, opened };
}

describe('terminal output core', () => {
  describe('StreamingTextDecoder', () => {
    it('keeps a multi-byte character split across chunks, at every split point', () => {
      const text = 'a€b😀c日本';
      const bytes = Buffer.from(text, 'utf8');
      for (let i = 1; i < bytes.length; i++) {
        const d = new StreamingTextDecoder();
        const got = d.write(bytes.subarray(0, i)) + d.write(bytes.subarray(i)) + d.end();
        assert.strictEqual(got, text, `split at ${i}`);
      }
      const byteAtATime = new StreamingTextDecoder();
      assert.strictEqual([...bytes].map((b) => byteAtATime.write(Buffer.from([b]))).join('') + byteAtATime.end(), text);
    });

    it('decodes a non-UTF-8 remote with the host encoding', () => {
      assert.strictEqual(new StreamingTextDecoder('iso-8859-1').write(Buffer.from([0xe9])), 'é');
    });

    it('encodes typed input in the host encoding, the inverse of its decoder; unknown characters become ?', () => {
      assert.deepStrictEqual([...encodeInput('été\r', 'latin1')], [0xe9, 0x74, 0xe9, 0x0d]);
      assert.deepStrictEqual([...encodeInput('€', 'iso-8859-15')], [0xa4]);
      assert.deepStrictEqual([...encodeInput('Жж', 'koi8-r')], [0xf6, 0xd6]);
      assert.deepStrictEqual([...encodeInput('日😀', 'latin1')], [0x3f, 0x3f], 'one ? per character, not per UTF-16 unit');
      assert.deepStrictEqual([...encodeInput('é')], [0xc3, 0xa9], 'UTF-8 by default');
      assert.deepStrictEqual([...encodeInput('é', 'shift_jis')], [0xc3, 0xa9], 'multi-byte encodings other than UTF-8 fall back to UTF-8');
      for (const label of ['latin1', 'iso-8859-15', 'koi8-r', 'windows-1251']) {
        const all = new StreamingTextDecoder(label).write(Uint8Array.from({ length: 256 }, (_, i) => i)).replace(/\ufffd/g, '');
        assert.strictEqual(new StreamingTextDecoder(label).write(encodeInput(all, label)), all, `${label} round-trips`);
      }
      assert.strictEqual(canonicalEncoding('no-such-encoding'), undefined);
    });
  });

  describe('PendingInput', () => {
    it('sends input typed while opening first, in order, then passes input straight through', () => {
      const input = new PendingInput();
      input.write(Buffer.from('ls'));
      input.write(Buffer.from(' -l\r'));
      const sent: string[] = [];
      input.connect((d) => sent.push(d.toString()));
      input.write(Buffer.from('x'));
      assert.deepStrictEqual(sent, ['ls -l\r', 'x']);
    });

    it('holds at most MAX_PENDING_INPUT_BYTES and counts what it dropped', () => {
      const input = new PendingInput();
      input.write(Buffer.alloc(MAX_PENDING_INPUT_BYTES - 1, 'a'));
      input.write(Buffer.from('bc'));
      let sent = 0;
      input.connect((d) => (sent += d.length));
      assert.strictEqual(sent, MAX_PENDING_INPUT_BYTES - 1);
      assert.strictEqual(input.dropped, 2);
    });
  });

  describe('OpenRequestFilter', () => {
    it('removes the sequence and reports the path, terminated by BEL or ST', () => {
      const r = run([`before${openSeq('/srv/app/README.md')}after`, openSeq('/srv/app', 'd', NONCE, '\x1b\\')]);
      assert.strictEqual(r.out, 'beforeafter');
      assert.deepStrictEqual(r.opened, [
        { path: '/srv/app/README.md', kind: 'file' },
        { path: '/srv/app', kind: 'folder' },
      ]);
    });

    it('finds the sequence split at every position, with a multi-byte path', () => {
      const whole = `x${openSeq('/tmp/ü dir/a;b.txt')}y`;
      for (let i = 1; i < whole.length; i++) {
        const r = run([whole.slice(0, i), whole.slice(i)]);
        assert.strictEqual(r.out, 'xy', `split at ${i}`);
        assert.deepStrictEqual(r.opened, [{ path: '/tmp/ü dir/a;b.txt', kind: 'file' }], `split at ${i}`);
      }
      const oneByOne = run([...whole]);
      assert.strictEqual(oneByOne.out, 'xy');
      assert.strictEqual(oneByOne.opened.length, 1);
    });

    it('passes OSC 633 shell-integration sequences and other escapes through untouched, even split', () => {
      const text = '\x1b]633;A\x07$ \x1b]633;B\x07\x1b[31mred\x1b[0m\x1b]633;E;ls\\x3b-l;n\x07\x1b]633;D;0\x07\x1b]5378;x\x07\x1b';
      for (let i = 0; i <= text.length; i++) {
        const r = run([text.slice(0, i), text.slice(i)]);
        assert.strictEqual(r.out, text, `split at ${i}`);
        assert.strictEqual(r.opened.length, 0);
      }
    });

    it('drops a sequence with a wrong nonce, a relative path or bad hex without opening anything', () => {
      const r = run([openSeq('/etc/passwd', 'f', 'ffff'), openSeq('relative/x'), '\x1b]5379;open;0123abcd;f;zz\x07', '\x1b]5379;open;0123abcd;f;00\x07', 'ok']);
      assert.strictEqual(r.out, 'ok');
      assert.deepStrictEqual(r.opened, []);
    });

    it('normalizes the path', () => {
      assert.deepStrictEqual(run([openSeq('/srv/./app/../x//y')]).opened, [{ path: '/srv/x/y', kind: 'file' }]);
    });

    it('is bounded: an endless unterminated sequence is not buffered, and later output still shows', () => {
      const opened: OpenRequest[] = [];
      const filter = new OpenRequestFilter(NONCE, (r) => opened.push(r));
      filter.write('\x1b]5379;open;');
      const chunk = 'a'.repeat(1000);
      let shown = '';
      for (let i = 0; i < 1000; i++) shown += filter.write(chunk);
      // Held text never exceeds the bound (checked through the private field's size).
      assert.ok((filter as unknown as { held: string }).held.length <= MAX_SEQUENCE_CHARS);
      shown += filter.write('\r\nprompt$ ');
      assert.ok(shown.endsWith('\r\nprompt$ '));
      assert.deepStrictEqual(opened, []);
    });
  });
});
