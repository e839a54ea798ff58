// Reads a throughput ratio out of A/B rounds run in several processes, with a confidence interval.
//
// Why not the median of one process's rounds: on this shared 2-core VM one A/B process of 20
// rounds reads anywhere from 0.96× to 1.04× for the same build, so a verdict on "equal or better"
// read off one process depends on the hour. Pooling processes and giving the interval says how
// far the figure can be trusted, and lets the verdict tell "slower" from "too noisy to say".

/**
 * A seeded linear congruential generator: the same rounds give the same interval on every run.
 * Only its high bits are used (a draw in [0, 1) scaled to an index), which are good enough here.
 */
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

const meanOf = (values) => values.reduce((sum, v) => sum + v, 0) / values.length;

/**
 * `processes`: one array of per-round ratios (A over B, each round's blocks run back to back) per
 * process. Returns the geometric mean of all rounds' ratios and its 95% interval from a cluster
 * bootstrap (processes drawn with replacement, then rounds within each), since rounds of one
 * process share its memory layout and its stretch of host load and are not independent.
 */
export function pooledRatio(processes, { resamples = 4000, seed = 1 } = {}) {
  const logs = processes.filter((rounds) => rounds.length > 0).map((rounds) => rounds.map(Math.log));
  if (logs.length === 0) throw new Error('pooledRatio: no rounds to pool');
  const random = seededRandom(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const estimates = [];
  for (let i = 0; i < resamples; ++i) {
    let sum = 0;
    let count = 0;
    for (let p = 0; p < logs.length; ++p) {
      const rounds = pick(logs);
      for (let r = 0; r < rounds.length; ++r) sum += pick(rounds);
      count += rounds.length;
    }
    estimates.push(sum / count);
  }
  estimates.sort((a, b) => a - b);
  return {
    ratio: Math.exp(meanOf(logs.flat())),
    low: Math.exp(estimates[Math.floor(resamples * 0.025)]),
    high: Math.exp(estimates[Math.ceil(resamples * 0.975) - 1]),
    perProcess: logs.map((rounds) => Math.exp(meanOf(rounds))),
    rounds: logs.reduce((n, rounds) => n + rounds.length, 0),
  };
}

/**
 * "better" when the interval lies above 1, "equal" when it holds 1 and excludes a deficit larger
 * than `margin`, "slower" when it lies below 1, "undecided" when it is too wide to tell.
 */
export function verdict({ low, high }, margin) {
  if (low >= 1) return 'better';
  if (high < 1) return 'slower';
  return low >= 1 - margin ? 'equal' : 'undecided';
}
