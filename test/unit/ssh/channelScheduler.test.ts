import * as assert from 'assert';
import { ChannelScheduler, SlotWait } from '../../../src/ssh/channelScheduler';
import { SshError } from '../../../src/ssh/errors';

describe('channel scheduler', () => {
  it('says when requests start and stop waiting for a slot (the host\'s "waiting for a session" state)', async () => {
    const s = new ChannelScheduler(1);
    const seen: boolean[] = [];
    s.onDidChangeWaiting((waiting) => seen.push(waiting));
    const a = await s.acquire();
    assert.deepStrictEqual(seen, [], 'a free slot is no wait');
    const cancel = new AbortController();
    const b = s.acquire();
    const c = s.acquire({ signal: cancel.signal });
    assert.deepStrictEqual(seen, [true], 'once, when the first request queues');
    cancel.abort();
    await assert.rejects(c);
    assert.deepStrictEqual(seen, [true]);
    a.release();
    (await b).release();
    assert.deepStrictEqual(seen, [true, false], 'and once when the queue empties');
  });

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
    open.forEach((slot) => slot.opened());
    const refused = await s.acquire();
    assert.strictEqual(s.refused(), 'lowered');
    assert.strictEqual(s.limit, 3);
    refused.release();
    const lone = new ChannelScheduler(10);
    const only = await lone.acquire();
    assert.strictEqual(lone.refused(), 'real', 'a refusal with nothing else open is a real refusal');
    only.release();
    open.forEach((slot) => slot.release());
  });

  it('calls a refusal below what the server already allowed transient (sshd still freeing a closed session), and keeps its limit', async () => {
    const s = new ChannelScheduler(3);
    const open = [await s.acquire(), await s.acquire(), await s.acquire()];
    open.forEach((slot) => slot.opened());
    open[2].release();
    const next = await s.acquire();
    assert.strictEqual(s.refused(), 'transient');
    assert.strictEqual(s.limit, 3);
    next.release();
    open.slice(0, 2).forEach((slot) => slot.release());
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
    assert.strictEqual(s.refused(), 'lowered');
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

  describe('long-lived and short session channels', () => {
    it('with limit 10 and 12 long-lived asked for, 8 open, 4 wait saying what for, and short ones still get through', async () => {
      const s = new ChannelScheduler(10);
      const waits: SlotWait[] = [];
      const granted: number[] = [];
      const long = Array.from({ length: 12 }, (_, i) => s.acquire({ kind: 'long-lived', onWaiting: (w) => waits.push(w) }).then((slot) => (granted.push(i), slot)));
      await Promise.resolve();
      assert.strictEqual(s.active, 8, 'long-lived channels leave a slot for SFTP and one for commands');
      assert.strictEqual(s.activeLongLived, 8);
      assert.strictEqual(s.longLivedLimit, 8);
      assert.strictEqual(s.waiting, 4);
      assert.deepStrictEqual(waits, [0, 1, 2, 3].map((ahead) => ({ kind: 'long-lived', inUse: 8, limit: 10, ahead })));
      // The SFTP channel opens late and stays; one-shot commands still run, one after another.
      const sftp = await s.acquire();
      for (let i = 0; i < 5; i++) (await s.acquire({ kind: 'short' })).release();
      const exec = await s.acquire();
      assert.strictEqual(s.active, 10);
      const exec2 = s.acquire();
      assert.strictEqual(s.waiting, 5);
      exec.release();
      (await exec2).release();
      assert.strictEqual(s.waiting, 4, 'the freed slot went to the short request, not a long-lived one');
      // Closing long-lived channels lets the waiting ones in, in order.
      const slots = await Promise.all(long.slice(0, 8));
      slots.slice(0, 4).forEach((slot) => slot.release());
      const rest = await Promise.all(long.slice(8));
      assert.deepStrictEqual(granted.slice(8), [8, 9, 10, 11]);
      [...slots.slice(4), ...rest, sftp].forEach((slot) => slot.release());
      assert.strictEqual(s.active, 0);
      assert.strictEqual(s.activeLongLived, 0);
    });

    it('never takes the last free slot, even when short channels hold the others', async () => {
      const s = new ChannelScheduler(4);
      const shorts = [await s.acquire(), await s.acquire(), await s.acquire()];
      const long = s.acquire({ kind: 'long-lived' });
      assert.strictEqual(s.waiting, 1);
      shorts[0].release();
      (await long).release();
      shorts.slice(1).forEach((slot) => slot.release());
    });

    it('a short request is not queued behind waiting long-lived ones', async () => {
      const s = new ChannelScheduler(3);
      const a = await s.acquire({ kind: 'long-lived' });
      const waiting = s.acquire({ kind: 'long-lived' });
      let served = false;
      void waiting.then(() => (served = true));
      const sftp = await s.acquire({ kind: 'short' });
      const exec = await s.acquire({ kind: 'short' });
      assert.strictEqual(s.active, 3);
      exec.release();
      await Promise.resolve();
      assert.strictEqual(served, false, 'a second long-lived channel does not fit in 3 slots');
      a.release();
      (await waiting).release();
      sftp.release();
    });

    it('with a limit of 1 or 2, one long-lived channel may take a free slot (it could never run otherwise)', async () => {
      const one = new ChannelScheduler(1);
      const short = await one.acquire();
      const long = one.acquire({ kind: 'long-lived' });
      assert.strictEqual(one.waiting, 1);
      short.release();
      const slot = await long;
      assert.strictEqual(slot.kind, 'long-lived');
      slot.release();
      const two = new ChannelScheduler(2);
      const sftp = await two.acquire();
      const first = await two.acquire({ kind: 'long-lived' });
      const second = two.acquire({ kind: 'long-lived' });
      assert.strictEqual(two.waiting, 1);
      first.release();
      (await second).release();
      sftp.release();
    });
  });
});
