import * as assert from 'assert';
import { ChannelScheduler, SlotWait } from '../../../src/ssh/channelScheduler';
import { SshError } from '../../../src/ssh/errors';

describe('channel scheduler', () => {
  it('grants slots up to the limit, then in FIFO order as slots come back', async () => {
    const s = new ChannelScheduler(2);
    const a = await s.acquire();
    const b = await s.acquire();
    const order: string[] = [];
    const c = s.acquire().then((slot) => (order.push('c'), slot));
    const d = s.acquire().then((slot) => (order.push('d'), slot));
    assert.strictEqual(s.waiting, 2);
    b.release();
    (await c).release();
    a.release();
    (await d).release();
    assert.deepStrictEqual(order, ['c', 'd']);
    assert.strictEqual(s.active, 0);
  });

  it('lets a waiting request be cancelled without taking a slot', async () => {
    const s = new ChannelScheduler(1);
    const held = await s.acquire();
    const controller = new AbortController();
    const waiting = s.acquire({ signal: controller.signal });
    const next = s.acquire();
    controller.abort();
    await assert.rejects(waiting, (e: unknown) => SshError.is(e, 'cancelled'));
    assert.strictEqual(s.waiting, 1);
    held.release();
    const slot = await next;
    assert.strictEqual(s.active, 1);
    slot.release();
  });

  it('lowers its limit when the server refuses a channel while others are open', async () => {
    const s = new ChannelScheduler(10);
    const open = [await s.acquire(), await s.acquire(), await s.acquire()];
    const refused = await s.acquire();
    assert.strictEqual(s.lowerLimitAfterRefusal(), true);
    assert.strictEqual(s.limit, 3);
    refused.release();
    const lone = new ChannelScheduler(10);
    const only = await lone.acquire();
    assert.strictEqual(lone.lowerLimitAfterRefusal(), false, 'a refusal with nothing else open is a real refusal');
    only.release();
    open.forEach((slot) => slot.release());
  });

  it('fails every waiter when the connection dies; a released slot is released once', async () => {
    const s = new ChannelScheduler(1);
    const held = await s.acquire();
    const waiters = [s.acquire(), s.acquire()];
    s.failAll(new SshError('gone', 'unavailable'));
    for (const w of waiters) await assert.rejects(w, (e: unknown) => SshError.is(e, 'unavailable'));
    held.release();
    held.release();
    assert.strictEqual(s.active, 0);
  });

  describe('long-lived and short session channels', () => {
    it('with limit 10 and 12 long-lived asked for, 9 open, 3 wait saying what for, and short ones still get through', async () => {
      const s = new ChannelScheduler(10);
      const waits: SlotWait[] = [];
      const granted: number[] = [];
      const long = Array.from({ length: 12 }, (_, i) => s.acquire({ kind: 'long-lived', onWaiting: (w) => waits.push(w) }).then((slot) => (granted.push(i), slot)));
      await Promise.resolve();
      assert.strictEqual(s.active, 9, 'long-lived channels never take the last free slot');
      assert.strictEqual(s.activeLongLived, 9);
      assert.strictEqual(s.waiting, 3);
      assert.deepStrictEqual(waits, [0, 1, 2].map((ahead) => ({ kind: 'long-lived', inUse: 9, limit: 10, ahead })));
      // The last slot serves short ones, one after another, while the long-lived ones wait.
      for (let i = 0; i < 5; i++) (await s.acquire({ kind: 'short' })).release();
      const sftp = await s.acquire();
      assert.strictEqual(s.active, 10);
      const exec = s.acquire();
      assert.strictEqual(s.waiting, 4);
      sftp.release();
      (await exec).release();
      assert.strictEqual(s.waiting, 3, 'the freed slot went to the short request, not a long-lived one');
      // Closing long-lived channels lets the waiting ones in, in order.
      const slots = await Promise.all(long.slice(0, 9));
      slots.slice(0, 3).forEach((slot) => slot.release());
      const rest = await Promise.all(long.slice(9));
      assert.deepStrictEqual(granted.slice(9), [9, 10, 11]);
      [...slots.slice(3), ...rest].forEach((slot) => slot.release());
      assert.strictEqual(s.active, 0);
      assert.strictEqual(s.activeLongLived, 0);
    });

    it('a short request is not queued behind waiting long-lived ones', async () => {
      const s = new ChannelScheduler(3);
      const a = await s.acquire({ kind: 'long-lived' });
      const b = await s.acquire({ kind: 'long-lived' });
      const waiting = s.acquire({ kind: 'long-lived' });
      let served = false;
      void waiting.then(() => (served = true));
      const short = await s.acquire({ kind: 'short' });
      assert.strictEqual(s.active, 3);
      short.release();
      await Promise.resolve();
      assert.strictEqual(served, false, 'the freed last slot is not handed to a long-lived request');
      a.release();
      (await waiting).release();
      b.release();
    });

    it('with a limit of 1, a long-lived channel opens only when nothing else is open', async () => {
      const s = new ChannelScheduler(1);
      const short = await s.acquire();
      const long = s.acquire({ kind: 'long-lived' });
      assert.strictEqual(s.waiting, 1);
      short.release();
      const slot = await long;
      assert.strictEqual(slot.kind, 'long-lived');
      slot.release();
    });
  });
});
