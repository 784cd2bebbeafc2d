import * as assert from 'assert';
import { PortAttributesMatcher } from '../../../src/forwarding/portAttributes';

describe('port attributes matcher', () => {
  const matcher = PortAttributesMatcher.fromSettings(
    {
      '3000': { label: 'Web', onAutoForward: 'openBrowser', protocol: 'http' },
      '40000-55000': { onAutoForward: 'ignore' },
      '41000-41010': { label: 'narrow', requireLocalPort: true },
      'jupyter-(lab|notebook)': { label: 'Jupyter', protocol: 'https' },
      '[oops': { label: 'bad regex' },
      '0': { label: 'zero' },
      '9-3': { label: 'backwards' },
      '5000': { onAutoForward: 'explode', protocol: 'ftp', requireLocalPort: 'yes', colour: 'red', elevateIfNeeded: true },
      '6000': 'not an object',
    },
    { onAutoForward: 'silent' },
  );

  it('prefers an exact port, then the narrowest range, then a command-line pattern, then the fallback', () => {
    assert.deepStrictEqual(matcher.match(3000, 'jupyter-lab'), { attributes: { label: 'Web', onAutoForward: 'openBrowser', protocol: 'http' }, key: '3000' });
    assert.deepStrictEqual(matcher.match(41005).attributes, { label: 'narrow', requireLocalPort: true });
    assert.deepStrictEqual(matcher.match(45000).attributes, { onAutoForward: 'ignore' });
    assert.deepStrictEqual(matcher.match(40000).key, '40000-55000');
    assert.deepStrictEqual(matcher.match(55000).key, '40000-55000');
    assert.deepStrictEqual(matcher.match(8888, '/usr/bin/python3 /usr/local/bin/jupyter-notebook --port 8888').attributes, { label: 'Jupyter', protocol: 'https' });
    assert.deepStrictEqual(matcher.match(8888), { attributes: { onAutoForward: 'silent' } });
    assert.deepStrictEqual(matcher.match(55001, 'node server.js'), { attributes: { onAutoForward: 'silent' } });
    assert.strictEqual(matcher.needsCommandLine, true);
  });

  it('keeps the valid fields of an entry and lists every invalid key and value', () => {
    assert.deepStrictEqual(matcher.match(5000).attributes, {});
    const problems = matcher.problems.join('\n');
    for (const needle of ['"[oops"', '"0": port out of range', '"9-3": range', '"5000".onAutoForward', '"5000".protocol', '"5000".requireLocalPort', '"5000".colour', '"6000": expected an object']) {
      assert.ok(problems.includes(needle), `problems mention ${needle}:\n${problems}`);
    }
    assert.ok(!problems.includes('elevateIfNeeded'));
  });

  it('treats missing or malformed settings as no attributes', () => {
    const empty = PortAttributesMatcher.fromSettings(undefined);
    assert.deepStrictEqual(empty.match(3000), { attributes: {} });
    assert.strictEqual(empty.needsCommandLine, false);
    const wrong = PortAttributesMatcher.fromSettings(['3000'], 'silent');
    assert.deepStrictEqual(wrong.match(3000), { attributes: {} });
    assert.strictEqual(wrong.problems.length, 2);
  });

  it('matches patterns against a bounded prefix of an untrusted command line', () => {
    const m = PortAttributesMatcher.fromSettings({ 'secret$': { label: 'end' } });
    assert.strictEqual(m.match(1, 'x'.repeat(10000) + 'secret').key, undefined);
    assert.strictEqual(m.match(1, 'my secret').key, 'secret$');
  });
});
