// The split of an eval's cases into the part a prompt is tuned on (train) and the part it is
// judged on (held out). Each case goes by a hash of its id and the seed: the same cases land
// in the same part whatever their order, and adding a case moves no other.
import { createHash } from 'node:crypto';

/** A held-out part smaller than this cannot show a win: the run is refused. */
export const MIN_HELD_OUT = 10;

export interface Split<T> {
  train: T[];
  heldOut: T[];
}

/** Where in [0, 1) a case falls for this seed. */
function position(id: string, seed: number): number {
  const digest = createHash('sha256').update(`${seed}\u0000${id}`).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** `fraction` of the cases (about) for training, the rest held out, in their given order. */
export function splitCases<T extends { id: string }>(
  cases: readonly T[],
  fraction: number,
  seed: number,
): Split<T> {
  const split: Split<T> = { train: [], heldOut: [] };
  for (const item of cases) {
    (position(item.id, seed) < fraction ? split.train : split.heldOut).push(item);
  }
  return split;
}
