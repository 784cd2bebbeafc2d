// The wording of connection failures: what the user reads in notifications, the tree's
// tooltip and failed file operations, from the connection core's typed errors.
import * as assert from 'assert';
import * as os from 'os';
import * as path from 'path';
import { SshError } from '../../../src/ssh/errors';
import { STATUS_CODE } from '../../../src/ssh/sftp';
import { sftpError } from '../../../src/ssh/sftp/errors';
import { describeConnectionError, fixesFor, nextStep } from '../../../src/editor/connectionMessages';

const refused = new SshError('could not reach 127.0.0.1:1: connection refused (ECONNREFUSED)', 'unavailable', { code: 'refused', target: '127.0.0.1:1' });

describe('connection messages', () => {
  it('says where a connection could not be made and why, as a sentence, without the host name twice', () => {
    assert.strictEqual(describeConnectionError(refused, 'box'), 'Could not reach 127.0.0.1:1: connection refused.');
    const cases: Array<[SshError, string]> = [
      [new SshError('x', 'unavailable', { code: 'no-such-host', target: 'nowhere.example:22' }), 'Could not reach nowhere.example:22: the host name does not resolve.'],
      [new SshError('x', 'unavailable', { code: 'unreachable', target: '10.1.2.3:22' }), 'Could not reach 10.1.2.3:22: no route to the host.'],
      [new SshError('x', 'timeout', { code: 'timed-out', target: '10.1.2.3:22' }), 'Could not reach 10.1.2.3:22: no answer in time.'],
      [new SshError('x', 'timeout', { code: 'timed-out' }), 'box answered but did not finish the login in time.'],
      [new SshError('x', 'unavailable', { code: 'keepalive' }), 'The connection to box was lost: the server stopped answering.'],
      [new SshError('x', 'unavailable', { code: 'closed' }), 'box closed the connection.'],
      [new SshError('x', 'unavailable', { code: 'held' }), 'box is disconnected.'],
    ];
    for (const [err, text] of cases) assert.strictEqual(describeConnectionError(err, 'box'), text);
  });

  it('drops a leading host name from messages it has no words of its own for, and ends them with a full stop', () => {
    assert.strictEqual(describeConnectionError(new SshError('box: ProxyJump loops back to itself', 'config'), 'box'), 'ProxyJump loops back to itself.');
    assert.strictEqual(describeConnectionError(new Error('something odd happened'), 'box'), 'Something odd happened.');
  });

  it('names what authentication tried: none, the agent, which key files, password, keyboard-interactive', () => {
    const key = path.join(os.homedir(), '.ssh', 'id_test');
    const err = new SshError('Authentication failed for dev@10.0.0.5 (tried: …)', 'auth-failed', {
      user: 'dev',
      target: '10.0.0.5',
      tried: [{ method: 'none' }, { method: 'agent', keys: 2 }, { method: 'key', file: key }, { method: 'key', file: '/keys/ci' }, { method: 'password' }, { method: 'keyboard-interactive' }],
    });
    assert.strictEqual(
      describeConnectionError(err, 'box'),
      'The server refused the login as dev@10.0.0.5. Tried: no credentials (none), the SSH agent (2 keys), key file ~/.ssh/id_test, key file /keys/ci, password, keyboard-interactive.',
    );
    const bare = new SshError('Authentication failed', 'auth-failed', { user: 'dev', target: '10.0.0.5', tried: [{ method: 'none' }] });
    assert.match(describeConnectionError(bare, 'box'), /Tried: no credentials \(none\)\. No identity file or agent key was available\.$/);
  });

  it('says when a reconnect is due, with why the link went, and what happened when it gave up', () => {
    const waiting = new SshError('reconnecting', 'unavailable', { code: 'reconnecting', retryInMs: 3200, cause: refused });
    assert.strictEqual(describeConnectionError(waiting, 'box'), 'Could not reach 127.0.0.1:1: connection refused. Reconnecting in 4 s.');
    const gaveUp = new SshError('gave up', 'unavailable', { code: 'gave-up', cause: refused });
    assert.strictEqual(describeConnectionError(gaveUp, 'box'), 'Gave up reconnecting to box. Could not reach 127.0.0.1:1: connection refused.');
  });

  it('says a connection lost under an SFTP request is the connection, not the file', () => {
    const lost = sftpError(STATUS_CODE.CONNECTION_LOST, 'stat', '/x', 'No response from server');
    assert.strictEqual(describeConnectionError(lost, 'box'), 'The connection to box was lost during the operation.');
    assert.strictEqual(nextStep(lost, 'box'), 'Retry once box is reachable again.');
  });

  it('offers the fix that fits: Reconnect after a Disconnect, an identity file or the settings after a refused login', () => {
    const held = new SshError('held', 'unavailable', { code: 'held' });
    assert.deepStrictEqual(fixesFor(held), ['reconnect']);
    assert.match(nextStep(held, 'box'), /^Connect it again \(Reconnect/);
    const auth = new SshError('auth', 'auth-failed', { tried: [] });
    assert.deepStrictEqual(fixesFor(auth), ['chooseIdentityFile', 'openHostSettings', 'showLog']);
    assert.deepStrictEqual(fixesFor(new SshError('bad', 'config')), ['openHostSettings', 'showLog']);
    assert.deepStrictEqual(fixesFor(refused), ['reconnect', 'showLog']);
    assert.deepStrictEqual(fixesFor(new SshError('changed key', 'host-key')), ['showLog']);
  });
});
