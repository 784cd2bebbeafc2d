import * as assert from 'assert';
import { ChannelScheduler } from '../../../src/ssh/channelScheduler';
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
    const waiting = s.acquire(controller.signal);
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

  it('a new connection starts from the configured limit again; a raised limit lets waiters in', async () => {
    const s = new ChannelScheduler(10);
    const open = [await s.acquire(), await s.acquire()];
    const refused = await s.acquire();
    assert.strictEqual(s.lowerLimitAfterRefusal(), true);
    refused.release();
    const waiting = s.acquire();
    assert.strictEqual(s.waiting, 1);
    s.resetLimit(3);
    assert.strictEqual(s.limit, 3);
    const granted = await waiting;
    assert.strictEqual(s.active, 3);
    assert.throws(() => s.resetLimit(0), RangeError);
    [...open, granted].forEach((slot) => slot.release());
  });
});
