import * as assert from 'assert';
import { OpenThrottle } from '../../../src/terminal/openThrottle';

describe('open requests from a terminal are throttled', () => {
  it('lets a burst of 5 through, then one a second; a flood of 10,000 opens at most a handful', () => {
    let t = 0;
    const throttle = new OpenThrottle(5, 1, () => t);
    let opened = 0;
    for (let i = 0; i < 10_000; i++) if (throttle.take()) opened++;
    assert.strictEqual(opened, 5);
    assert.strictEqual(throttle.droppedCount, 9_995);
    t += 1000;
    assert.strictEqual(throttle.take(), true, 'a second later one more may open');
    assert.strictEqual(throttle.take(), false);
    t += 60_000;
    assert.strictEqual([1, 2, 3, 4, 5, 6].filter(() => throttle.take()).length, 5, 'the burst refills, no further');
  });
});
