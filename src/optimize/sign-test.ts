// Whether a rewritten prompt beats its parent on the same cases: a paired sign test. Each
// held-out case is a win (the candidate scored higher), a loss or a tie; ties are set aside,
// and p is the chance of at least this many wins among the rest if neither prompt were
// better (one-sided, exact binomial with p = 1/2).

export interface SignTest {
  wins: number;
  losses: number;
  ties: number;
  /** One-sided p-value; 1 when every case is a tie. */
  p: number;
}

/** Compares paired scores: `after[i]` against `before[i]`. */
export function signTest(before: readonly number[], after: readonly number[]): SignTest {
  if (before.length !== after.length) {
    throw new Error(`sign test: ${before.length} scores before, ${after.length} after`);
  }
  let wins = 0;
  let losses = 0;
  for (const [i, score] of after.entries()) {
    const old = before[i] as number;
    if (score > old) wins++;
    else if (score < old) losses++;
  }
  const ties = after.length - wins - losses;
  return { wins, losses, ties, p: upperTail(wins + losses, wins) };
}

/** P(X >= k) for X ~ Binomial(n, 1/2), summed in log space so large n cannot underflow. */
function upperTail(n: number, k: number): number {
  if (n === 0) return 1;
  const logHalf = n * Math.log(0.5);
  // log C(n, j) for j = 0..n, built up term by term.
  let logChoose = 0;
  let total = 0;
  for (let j = 0; j <= n; j++) {
    if (j > 0) logChoose += Math.log(n - j + 1) - Math.log(j);
    if (j >= k) total += Math.exp(logChoose + logHalf);
  }
  return Math.min(1, total);
}
