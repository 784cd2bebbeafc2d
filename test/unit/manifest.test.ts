// What the Settings editor shows for our settings: every setting and every host field says what
// it does, in words a user has, not only in protocol names.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

type Schema = { description?: string; markdownDescription?: string; properties?: Record<string, Schema>; items?: Schema };
const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
const settings: Record<string, Schema> = manifest.contributes.configuration.properties;
const text = (s: Schema) => s.markdownDescription ?? s.description ?? '';

describe('settings descriptions', () => {
  it('every setting and every host field has one', () => {
    const hostFields = settings['sandboxExplorer.hosts'].items!.properties!;
    const missing = [
      ...Object.entries(settings).filter(([, s]) => text(s).length < 20).map(([k]) => k),
      ...Object.entries(hostFields).filter(([, s]) => text(s).length < 20).map(([k]) => `sandboxExplorer.hosts[].${k}`),
    ];
    assert.deepStrictEqual(missing, []);
    for (const field of ['port', 'user', 'identityFile', 'proxyJump', 'proxyCommand', 'enabled']) assert.ok(text(hostFields[field]), field);
  });

  it('says what an idle timeout of 0 does', () => {
    assert.match(text(settings['sandboxExplorer.idleTimeoutSeconds']), /`0` closes it as soon as/);
  });

  it('explains protocol names instead of leaning on them', () => {
    const all = Object.values(settings).map(text).join('\n');
    assert.doesNotMatch(all, /ControlPersist/, 'say what stays open, not the OpenSSH option');
    assert.doesNotMatch(all, /`copy-data`/, 'say where the copy runs, not the SFTP extension');
    assert.doesNotMatch(all, /atomic rename/, 'say what the user gets from a safe save');
  });
});

describe('walkthrough', () => {
  const root = path.join(__dirname, '..', '..', '..');
  const commands = new Set<string>(manifest.contributes.commands.map((c: { command: string }) => c.command));
  const steps: Array<{ id: string; description: string; media: { markdown?: string }; completionEvents?: string[] }> = manifest.contributes.walkthroughs.flatMap((w: { steps: unknown[] }) => w.steps);

  it('every step links and completes on commands the extension contributes', () => {
    for (const step of steps) {
      const linked = [...step.description.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]);
      assert.ok(linked.length > 0, `${step.id} links a command`);
      for (const id of [...linked, ...(step.completionEvents ?? []).map((e) => e.replace(/^onCommand:/, ''))]) assert.ok(commands.has(id), `${step.id}: ${id} is contributed`);
    }
  });

  it('every step has its page, and the package ships it', () => {
    const ignore = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n');
    for (const step of steps) {
      const page = step.media.markdown!;
      assert.ok(fs.existsSync(path.join(root, page)), `${page} exists`);
      assert.ok(ignore.some((l) => l.startsWith('!') && new RegExp(`^${l.slice(1).replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`).test(page)), `${page} is not excluded from the package`);
    }
  });
});
