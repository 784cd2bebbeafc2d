import * as assert from 'assert';
import { withTokenSignal } from '../../../src/common/cancellation';
import { Emitter } from '../../../src/common/event';
import { abortable, backoffDelay, DeadlineError, sleep, withDeadline } from '../../../src/common/time';

describe('time and cancellation (common/time)', () => {
  describe('withDeadline', () => {
    it('passes a timely result through', async () => {
      assert.strictEqual(await withDeadline(Promise.resolve(7), { ms: 1000, what: 'x' }), 7);
    });

    it('times out, and hands a late result to discardLate', async () => {
      const late: number[] = [];
      let abandoned = 0;
      let finish!: (v: number) => void;
      const work = new Promise<number>((r) => (finish = r));
      await assert.rejects(
        withDeadline(work, { ms: 20, what: 'open', discardLate: (v) => late.push(v), onAbandon: () => abandoned++ }),
        (e: unknown) => e instanceof DeadlineError && e.kind === 'timeout' && /open: no answer within 20 ms/.test(e.message),
      );
      finish(42);
      await work;
      await Promise.resolve();
      assert.deepStrictEqual(late, [42]);
      assert.strictEqual(abandoned, 1);
    });

    it('stops waiting when the signal aborts, also when it had aborted before', async () => {
      const controller = new AbortController();
      const pending = withDeadline(new Promise(() => undefined), { ms: 10_000, what: 'wait', signal: controller.signal });
      controller.abort();
      await assert.rejects(pending, (e: unknown) => e instanceof DeadlineError && e.kind === 'cancelled');
      await assert.rejects(withDeadline(Promise.resolve(1), { ms: 10_000, what: 'wait', signal: controller.signal }), (e: unknown) => e instanceof DeadlineError && e.kind === 'cancelled');
    });

    it('throws the errors its caller words', async () => {
      class Mine extends Error {}
      await assert.rejects(withDeadline(new Promise(() => undefined), { ms: 5, what: 'w', timeout: (what, ms) => new Mine(`${what} ${ms}`) }), (e: unknown) => e instanceof Mine && e.message === 'w 5');
    });

    it('settles exactly once: a failure after the deadline is ignored', async () => {
      let fail!: (e: Error) => void;
      const work = new Promise<never>((_, reject) => (fail = reject));
      const outcomes: string[] = [];
      await withDeadline(work, { ms: 5, what: 'w' }).then(
        () => outcomes.push('resolved'),
        (e: DeadlineError) => outcomes.push(e.kind),
      );
      fail(new Error('late'));
      await new Promise((r) => setImmediate(r));
      assert.deepStrictEqual(outcomes, ['timeout']);
    });
  });

  describe('abortable', () => {
    it('passes the result through without a signal, and rejects at once on abort', async () => {
      assert.strictEqual(await abortable(Promise.resolve('x'), undefined, { what: 'w' }), 'x');
      const controller = new AbortController();
      const pending = abortable(new Promise(() => undefined), controller.signal, { what: 'w' });
      controller.abort();
      await assert.rejects(pending, (e: unknown) => e instanceof DeadlineError && e.kind === 'cancelled' && e.message === 'w: cancelled');
    });
  });

  describe('sleep', () => {
    it('waits, and rejects at once when the signal aborts', async () => {
      await sleep(1);
      const controller = new AbortController();
      const pending = sleep(60_000, controller.signal);
      controller.abort();
      await assert.rejects(pending, (e: unknown) => e instanceof DeadlineError && e.kind === 'cancelled');
      await assert.rejects(sleep(60_000, controller.signal, { cancelled: () => new RangeError('stop') }), RangeError);
    });
  });

  describe('backoffDelay', () => {
    it('doubles from the initial delay up to the maximum, and never overflows', () => {
      const policy = { initialDelayMs: 1000, maxDelayMs: 30_000 };
      assert.deepStrictEqual([0, 1, 2, 3, 4, 5, 6].map((a) => backoffDelay(policy, a)), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
      assert.strictEqual(backoffDelay(policy, 10_000), 30_000);
      assert.strictEqual(backoffDelay(policy, -1), 1000);
    });
  });

  describe('withTokenSignal (the CancellationToken bridge)', () => {
    const token = () => {
      const cancel = new Emitter<void>();
      let requested = false;
      let listeners = 0;
      return {
        token: {
          get isCancellationRequested() {
            return requested;
          },
          onCancellationRequested: (l: () => unknown) => {
            listeners++;
            const sub = cancel.event(l);
            return { dispose: () => (listeners--, sub.dispose()) };
          },
        },
        cancel: () => ((requested = true), cancel.fire()),
        get listeners() {
          return listeners;
        },
      };
    };

    it('aborts the signal when the token is cancelled, and stops listening when the work ends', async () => {
      const t = token();
      let seen: AbortSignal | undefined;
      const work = withTokenSignal(t.token, (signal) => {
        seen = signal;
        return sleep(60_000, signal);
      });
      assert.strictEqual(t.listeners, 1);
      t.cancel();
      await assert.rejects(work, (e: unknown) => e instanceof DeadlineError && e.kind === 'cancelled');
      assert.strictEqual(seen?.aborted, true);
      assert.strictEqual(t.listeners, 0);
    });

    it('starts aborted for a token cancelled already', async () => {
      const t = token();
      t.cancel();
      assert.strictEqual(await withTokenSignal(t.token, async (signal) => signal.aborted), true);
    });
  });
});
