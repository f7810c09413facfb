import { describe, expect, test } from 'vitest';
import { Slots } from '../../../../src/registries/consul/slots.js';

describe('Slots (the first-read limit of the Consul client)', () => {
  test('gives out at most `size` slots; a slot given back goes to the longest waiter', async () => {
    const slots = new Slots(2);
    const order: string[] = [];
    await slots.take();
    await slots.take();
    const c = slots.take().then(() => order.push('c'));
    const d = slots.take().then(() => order.push('d'));
    expect([slots.inUse, slots.queued]).toEqual([2, 2]);
    slots.give();
    await c;
    expect(order).toEqual(['c']);
    slots.give();
    await d;
    expect(order).toEqual(['c', 'd']);
    slots.give();
    slots.give();
    expect([slots.inUse, slots.queued]).toEqual([0, 0]);
  });

  test('a waiter whose signal aborts leaves the queue and rejects with the reason', async () => {
    const slots = new Slots(1);
    await slots.take();
    const controller = new AbortController();
    const waiting = slots.take(controller.signal);
    controller.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
    expect(slots.queued).toBe(0);
    slots.give();
    expect(slots.inUse).toBe(0);
    await expect(slots.take(controller.signal)).rejects.toThrow('stopped');
  });

  test('refuses a size that is not a positive integer, and a give without a take', () => {
    expect(() => new Slots(0)).toThrow(RangeError);
    expect(() => new Slots(1.5)).toThrow(RangeError);
    expect(() => new Slots(1).give()).toThrow('give() without take()');
  });
});
