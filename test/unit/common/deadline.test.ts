import * as assert from 'assert';
import { DeadlineError, withDeadline } from '../../../src/common/deadline';

describe('withDeadline', () => {
  it('passes a timely result through', async () => {
    assert.strictEqual(await withDeadline(Promise.resolve(7), { ms: 1000, what: 'x' }), 7);
  });

  it('times out, and hands a late result to discardLate', async () => {
    const late: number[] = [];
    let abandoned = 0;
    const work = new Promise<number>((r) => setTimeout(() => r(42), 80));
    await assert.rejects(
      withDeadline(work, { ms: 20, what: 'open', discardLate: (v) => late.push(v), onAbandon: () => abandoned++ }),
      (e: unknown) => e instanceof DeadlineError && e.kind === 'timeout' && /open: no answer within 20 ms/.test(e.message),
    );
    await work;
    assert.deepStrictEqual(late, [42]);
    assert.strictEqual(abandoned, 1);
  });

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    const pending = withDeadline(new Promise(() => undefined), { ms: 10_000, what: 'wait', signal: controller.signal });
    controller.abort();
    await assert.rejects(pending, (e: unknown) => e instanceof DeadlineError && e.kind === 'cancelled');
  });
});
