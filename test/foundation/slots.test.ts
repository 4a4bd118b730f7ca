import { describe, expect, it } from 'vitest';
import { slotsPerQueue } from '../../workers/slots.js';

describe('worker slots are weighted toward high priority', () => {
  it('splits the total by weight', () => {
    expect([...slotsPerQueue(100, [50, 30, 20], ['high', 'medium', 'low'])]).toEqual([
      ['high', 50],
      ['medium', 30],
      ['low', 20],
    ]);
  });
  it('gives a single-queue worker all of its slots', () => {
    expect([...slotsPerQueue(40, [50, 30, 20], ['low'])]).toEqual([['low', 40]]);
  });
  it('never leaves a served queue without a slot', () => {
    expect(slotsPerQueue(3, [98, 1, 1], ['high', 'medium', 'low']).get('low')).toBe(1);
  });
});
