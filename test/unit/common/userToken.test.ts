import * as assert from 'assert';
import { displayDestination, displayUser, hasUserToken, joinUserToken, splitUserToken } from '../../../src/common/userToken';

describe('user names with a gateway token', () => {
  it('masks everything after the first # for display', () => {
    assert.strictEqual(displayUser('sandbox-7f3a#tok123'), 'sandbox-7f3a#…');
    assert.strictEqual(displayUser('sbx#a#b@c'), 'sbx#…');
    assert.strictEqual(displayUser('#tok'), '#…');
    assert.strictEqual(displayUser('sbx#'), 'sbx#…');
    assert.strictEqual(displayUser('root'), 'root');
    assert.strictEqual(displayUser('a@b'), 'a@b');
  });

  it('shows user@host:port with the user masked', () => {
    assert.strictEqual(displayDestination('sbx-1#tok123', '127.0.0.1', 2222), 'sbx-1#…@127.0.0.1:2222');
    assert.strictEqual(displayDestination(undefined, 'gw.example'), 'gw.example');
    assert.strictEqual(displayDestination('root', 'gw.example'), 'root@gw.example');
  });

  it('splits and joins at the first #', () => {
    assert.deepStrictEqual(splitUserToken('sbx-1#tok#2'), { user: 'sbx-1', token: 'tok#2' });
    assert.deepStrictEqual(splitUserToken('root'), { user: 'root' });
    assert.strictEqual(joinUserToken('sbx-1', 'tok123'), 'sbx-1#tok123');
    assert.strictEqual(hasUserToken('sbx-1#tok'), true);
    assert.strictEqual(hasUserToken('root'), false);
    assert.strictEqual(hasUserToken(undefined), false);
  });
});
