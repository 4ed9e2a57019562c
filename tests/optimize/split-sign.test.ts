import { describe, expect, it } from 'vitest';
import { signTest } from '../../src/optimize/sign-test.js';
import { splitCases } from '../../src/optimize/split.js';

const cases = Array.from({ length: 1000 }, (_, i) => ({ id: `case-${i}` }));

describe('splitCases', () => {
  it('splits by a hash of each id and the seed: stable, order-free, about the fraction asked', () => {
    const split = splitCases(cases, 0.7, 1);
    expect(split.train.length + split.heldOut.length).toBe(1000);
    expect(split.train.length).toBeGreaterThan(650);
    expect(split.train.length).toBeLessThan(750);
    // The same cases in another order fall in the same parts; a new case moves none.
    const reversed = splitCases([...cases].reverse(), 0.7, 1);
    expect(new Set(reversed.train.map((c) => c.id))).toEqual(new Set(split.train.map((c) => c.id)));
    const more = splitCases([...cases, { id: 'new' }], 0.7, 1);
    expect(more.train.filter((c) => c.id !== 'new')).toEqual(split.train);
    // Another seed, another split; order kept within each part.
    const other = splitCases(cases, 0.7, 2);
    expect(other.train.map((c) => c.id)).not.toEqual(split.train.map((c) => c.id));
    expect(split.heldOut).toEqual(cases.filter((c) => !split.train.includes(c)));
  });

  it('puts everything in one part at the ends of the range', () => {
    expect(splitCases(cases, 0, 1).train).toEqual([]);
    expect(splitCases(cases, 1, 1).heldOut).toEqual([]);
  });
});

describe('signTest', () => {
  it('counts wins, losses and ties, and gives the exact one-sided p', () => {
    // 8 wins, 2 losses, 1 tie: P(X >= 8 | n = 10) = (45 + 10 + 1) / 1024.
    const before = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0.5];
    const after = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0.5];
    const result = signTest(before, after);
    expect(result).toMatchObject({ wins: 8, losses: 2, ties: 1 });
    expect(result.p).toBeCloseTo(56 / 1024, 12);
    expect(signTest([1, 1], [1, 1])).toEqual({ wins: 0, losses: 0, ties: 2, p: 1 });
    expect(signTest([0], [1]).p).toBeCloseTo(0.5, 12);
    expect(signTest([1], [0]).p).toBe(1);
  });

  it('stays exact for many cases without underflow', () => {
    const n = 3000;
    const before = Array.from({ length: n }, () => 0);
    const even = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -1));
    // Half wins, half losses: p just above 1/2.
    const p = signTest(before, even).p;
    expect(p).toBeGreaterThan(0.5);
    expect(p).toBeLessThan(0.52);
    expect(
      signTest(
        before,
        Array.from({ length: n }, () => 1),
      ).p,
    ).toBeLessThan(1e-300);
    expect(() => signTest([1], [])).toThrow(/1 scores before, 0 after/);
  });
});
