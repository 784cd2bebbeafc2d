import * as assert from 'assert';
import { WorkQueue } from '../../../src/common/workQueue';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('WorkQueue', () => {
  it('runs at most `width` jobs at once, including jobs added by jobs', async () => {
    const queue = new WorkQueue(3);
    let running = 0;
    let most = 0;
    const job = (depth: number) => async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setImmediate(r));
      if (depth < 3) for (let i = 0; i < 4; i++) queue.add(job(depth + 1));
      running--;
    };
    await queue.run(job(0));
    assert.strictEqual(most, 3);
  });

  it('stops at the first failure and rejects only once the running jobs have settled', async () => {
    const queue = new WorkQueue(2);
    const slow = deferred();
    const started: string[] = [];
    let slowSettled = false;
    const done = queue.run(async () => {
      queue.add(async () => {
        started.push('later');
      });
      queue.add(async () => {
        started.push('fails');
        throw new Error('boom');
      });
      queue.add(async () => {
        started.push('slow');
        await slow.promise;
        slowSettled = true;
      });
    });
    let rejected = false;
    done.catch(() => (rejected = true));
    await new Promise((r) => setImmediate(r));
    assert.deepStrictEqual(started, ['later', 'slow', 'fails']);
    assert.strictEqual(rejected, false, 'still waiting for the running job');
    slow.resolve();
    await assert.rejects(done, /boom/);
    assert.ok(slowSettled);
    assert.deepStrictEqual(started, ['later', 'slow', 'fails'], 'nothing started after the failure');
    queue.add(async () => void started.push('ignored'));
    assert.deepStrictEqual(started, ['later', 'slow', 'fails']);
  });

  it('an aborted signal stops it with the abort reason', async () => {
    const controller = new AbortController();
    const queue = new WorkQueue(1, controller.signal, () => new Error('cancelled here'));
    const first = deferred();
    const done = queue.run(async () => {
      queue.add(async () => assert.fail('started after the abort'));
      await first.promise;
    });
    controller.abort();
    first.resolve();
    await assert.rejects(done, /cancelled here/);
  });
});
