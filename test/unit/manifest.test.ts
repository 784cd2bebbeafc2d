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
