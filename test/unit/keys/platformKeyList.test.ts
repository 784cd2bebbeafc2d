import * as assert from 'assert';
import { platformKeyList } from '../../../src/keys/platformKeyList';

describe('a gateway\'s keys in the Keys view', () => {
  const key = (id: string, name = id) => ({ id, name, publicKey: 'ssh-ed25519 AAAA' });

  it('drops duplicate ids (one tree item per id), keeping the first', () => {
    const { shown, omitted } = platformKeyList([key('1', 'a'), key('2'), key('1', 'b')]);
    assert.deepStrictEqual(shown.map((k) => [k.id, k.name]), [['1', 'a'], ['2', '2']]);
    assert.strictEqual(omitted, 0);
  });

  it('caps a huge listing and says how many were left out', () => {
    const { shown, omitted } = platformKeyList(Array.from({ length: 10_000 }, (_, i) => key(String(i))));
    assert.strictEqual(shown.length, 200);
    assert.strictEqual(omitted, 9_800);
  });
});
