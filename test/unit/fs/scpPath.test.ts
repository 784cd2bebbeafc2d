import * as assert from 'assert';
import { scpHost, scpPaths, shellQuote } from '../../../src/fs/scpPath';

describe('Copy as host:path', () => {
  it('uses ssh config aliases as they are and addresses of other hosts', () => {
    assert.strictEqual(scpHost({ alias: 'dev' }), 'dev');
    assert.strictEqual(scpHost({ user: 'root', hostname: '10.0.0.5' }), 'root@10.0.0.5');
    assert.strictEqual(scpHost({ hostname: '::1' }), '[::1]');
  });

  it('joins several with spaces and quotes what a shell would split or expand', () => {
    assert.strictEqual(scpPaths([{ host: 'dev', path: '/srv/app/main.py' }]), 'dev:/srv/app/main.py');
    assert.strictEqual(scpPaths([{ host: 'dev', path: '/a b' }, { host: 'root@10.0.0.5', path: '/x' }]), `'dev:/a b' root@10.0.0.5:/x`);
    assert.strictEqual(shellQuote(`dev:/it's`), `'dev:/it'\\''s'`);
    assert.strictEqual(shellQuote('[::1]:/x'), `'[::1]:/x'`);
    assert.strictEqual(shellQuote('dev:/$HOME/*'), `'dev:/$HOME/*'`);
  });
});
