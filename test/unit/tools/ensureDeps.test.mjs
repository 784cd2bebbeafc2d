// When `npm test`/`npm start` run `npm ci`: node_modules compared with package-lock.json
// through npm's own record of the install (node_modules/.package-lock.json).
import * as assert from 'assert';
import { staleReason } from '../../tools/ensureDeps.mjs';

const lock = {
  packages: {
    '': { name: 'sandbox-explorer', version: '0.1.0' },
    'node_modules/ssh2': { version: '1.17.0' },
    'node_modules/@esbuild/linux-x64': { version: '0.28.2', optional: true, dev: true },
    'node_modules/@esbuild/darwin-arm64': { version: '0.28.2', optional: true, dev: true },
  },
};
const installed = (packages) => ({ packages });

describe('ensureDeps: does node_modules match package-lock.json', () => {
  it('matches when every package is installed at its version; other platforms’ optional packages may be absent', () => {
    assert.strictEqual(staleReason(lock, installed({ 'node_modules/ssh2': { version: '1.17.0' }, 'node_modules/@esbuild/linux-x64': { version: '0.28.2' } })), undefined);
  });

  it('stale when npm left no record of an install', () => {
    assert.match(staleReason(lock, undefined), /no record of an install/);
  });

  it('stale when a package is missing, at another version, or not in the lock file', () => {
    assert.match(staleReason(lock, installed({})), /ssh2 is not installed/);
    assert.match(staleReason(lock, installed({ 'node_modules/ssh2': { version: '1.16.0' } })), /ssh2 is 1\.16\.0, package-lock\.json wants 1\.17\.0/);
    assert.match(staleReason(lock, installed({ 'node_modules/ssh2': { version: '1.17.0' }, 'node_modules/left-pad': { version: '1.3.0' } })), /left-pad is installed but not in package-lock\.json/);
  });
});
