// Keeps package.json and the code honest about where settings come from: a sandbox writes
// its folder's .vscode/settings.json, and VS Code trusts sbx:// windows without asking.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const properties: Record<string, Record<string, unknown>> = manifest.contributes.configuration.properties;

/** Settings a trusted workspace on this machine may set (src/editor/settings.ts WORKSPACE_SETTINGS). */
const WORKSPACE_SETTINGS = ['sandboxExplorer.files.inPlaceSave', 'sandboxExplorer.files.copyWithExec'];

/** Words that mark a setting (or a field inside one) as naming a host, a command, a key, a file or a URL. */
const NAMES_SOMETHING = /host|command|proxy|identity|key|file|path|url|gateway|config|directory|dir$|socket|user|jump|exec|shell|env|port/i;

function fieldNames(schema: unknown): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const s = schema as { properties?: Record<string, unknown>; items?: unknown };
  return [...Object.keys(s.properties ?? {}), ...Object.values(s.properties ?? {}).flatMap(fieldNames), ...fieldNames(s.items)];
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('settings scopes (package.json and src)', () => {
  it('every setting that names a host, command, key, file or URL has application or machine scope', () => {
    // The two workspace settings are a boolean and an enum (next test): they name nothing.
    const bad = Object.entries(properties)
      .filter(([key]) => !WORKSPACE_SETTINGS.includes(key))
      .filter(([key, schema]) => NAMES_SOMETHING.test(key.replace(/^sandboxExplorer\./, '')) || fieldNames(schema).some((f) => NAMES_SOMETHING.test(f)))
      .filter(([, schema]) => !['application', 'machine'].includes(schema.scope as string))
      .map(([key, schema]) => `${key} (${schema.scope ?? 'window'})`);
    assert.deepStrictEqual(bad, []);
  });

  it('the check above sees the settings that matter', () => {
    for (const key of ['sandboxExplorer.hosts', 'sandboxExplorer.sshConfigFile', 'sandboxExplorer.trustedHostKeysFile']) {
      assert.ok(NAMES_SOMETHING.test(key.replace(/^sandboxExplorer\./, '')), key);
    }
    assert.ok(fieldNames(properties['sandboxExplorer.hosts']).includes('proxyCommand'));
  });

  it('only the listed file-handling settings may come from a workspace, and they name nothing', () => {
    const workspaceScoped = Object.entries(properties)
      .filter(([, schema]) => !['application', 'machine'].includes(schema.scope as string))
      .map(([key]) => key);
    assert.deepStrictEqual(workspaceScoped.sort(), [...WORKSPACE_SETTINGS].sort());
    for (const key of WORKSPACE_SETTINGS) assert.ok(['boolean', 'string'].includes(properties[key].type as string) && (properties[key].type === 'boolean' || Array.isArray(properties[key].enum)), `${key} must be a boolean or an enum`);
  });

  it('the untrusted-workspace capability lists exactly those settings as restricted', () => {
    assert.deepStrictEqual([...manifest.capabilities.untrustedWorkspaces.restrictedConfigurations].sort(), [...WORKSPACE_SETTINGS].sort());
  });

  it('src reads settings only through src/editor/settings.ts, which lists the same workspace settings', () => {
    const readers = walk(path.join(ROOT, 'src')).filter((f) => !f.endsWith(path.join('editor', 'settings.ts')) && /getConfiguration\(\s*(['"`]sandboxExplorer|SECTION\b)/.test(fs.readFileSync(f, 'utf8')));
    assert.deepStrictEqual(readers.map((f) => path.relative(ROOT, f)), [], 'read sandboxExplorer settings through src/editor/settings.ts');
    const source = fs.readFileSync(path.join(ROOT, 'src', 'editor', 'settings.ts'), 'utf8');
    const listed = /WORKSPACE_SETTINGS[^=]*=\s*\[([^\]]*)\]/.exec(source)?.[1] ?? '';
    const keys = [...listed.matchAll(/SETTING\.(\w+)/g)].map((m) => {
      const value = new RegExp(`\\b${m[1]}:\\s*'([^']+)'`).exec(source)?.[1];
      return `sandboxExplorer.${value}`;
    });
    assert.deepStrictEqual(keys.sort(), [...WORKSPACE_SETTINGS].sort());
    // Only the workspace-capable reader consults workspace values, and only those settings use it.
    const workspaceReads = [...source.matchAll(/localWorkspaceValue<[^>]*>\(SETTING\.(\w+)/g)].map((m) => m[1]);
    assert.deepStrictEqual(workspaceReads.sort(), ['copyWithExec', 'inPlaceSave']);
    assert.ok(!/\.get<[^>]*>\(/.test(source) && !/config\(\)\.get\(/.test(source), 'settings.ts reads values through inspect(), never get()');
  });
});
