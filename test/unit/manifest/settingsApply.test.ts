// Each setting says when a change takes effect, and package.json says the same as the code
// (src/editor/settings.ts APPLIES, in APPLIES_TEXT's words). settings.ts imports vscode, so
// its tables are read from the source, as settingsScope.test.ts reads WORKSPACE_SETTINGS.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const properties: Record<string, { description?: string; markdownDescription?: string }> = manifest.contributes.configuration.properties;
const source = fs.readFileSync(path.join(ROOT, 'src', 'editor', 'settings.ts'), 'utf8');

/** `name: 'value'` pairs of the object literal assigned to `constant` in settings.ts. */
function table(constant: string): Record<string, string> {
  const body = new RegExp(`export const ${constant}\\b[^=]*=\\s*\\{([^}]*)\\}`).exec(source)?.[1];
  assert.ok(body, `${constant} not found in settings.ts`);
  return Object.fromEntries([...body.matchAll(/^\s*(\w+):\s*'([^']*)'/gm)].map((m) => [m[1], m[2]]));
}

describe('when setting changes apply (package.json and src)', () => {
  const keys = table('SETTING');
  const applies = table('APPLIES');
  const words = table('APPLIES_TEXT');

  it('the code says it for every setting, and only in the two known ways', () => {
    assert.deepStrictEqual(Object.keys(applies).sort(), Object.keys(keys).sort());
    assert.deepStrictEqual(Object.keys(words).sort(), ['live', 'nextConnect']);
    for (const [name, when] of Object.entries(applies)) assert.ok(when in words, `${name}: ${when}`);
  });

  it('every contributed setting is read by the code, and its description says when it applies, as the code does', () => {
    assert.deepStrictEqual(Object.keys(properties).sort(), Object.values(keys).map((k) => `sandboxExplorer.${k}`).sort());
    const wrong = Object.entries(keys).flatMap(([name, key]) => {
      const schema = properties[`sandboxExplorer.${key}`];
      const text = schema.markdownDescription ?? schema.description ?? '';
      const said = Object.entries(words).filter(([, sentence]) => text.includes(sentence.replace(/\.$/, '')));
      return said.length === 1 && said[0][0] === applies[name] ? [] : [`${key}: code says ${applies[name]}, description says ${said.map(([w]) => w).join(' and ') || 'nothing'}`];
    });
    assert.deepStrictEqual(wrong, []);
  });

  it('maxSessions applies on the next connect and the idle timeout at once (issue 13)', () => {
    assert.strictEqual(applies.maxSessions, 'nextConnect');
    assert.strictEqual(applies.idleTimeoutSeconds, 'live');
  });
});
