// Repeats a measurement in rounds and keeps the median of each number: on a shared 2-core machine
// one process can land on a bad moment, and one bad round should not decide a ratio.

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Takes one result object per round and returns one object: each numeric field is the median over
 * the rounds; `spread[field]` is [min, max] of that field, and `rounds` counts them.
 */
export function combineRounds(results) {
  const combined = { rounds: results.length, spread: {} };
  for (const key of Object.keys(results[0])) {
    const values = results.map((r) => r[key]).filter((v) => typeof v === 'number' && Number.isFinite(v));
    if (values.length !== results.length) {
      combined[key] = results[0][key];
      continue;
    }
    combined[key] = median(values);
    combined.spread[key] = [Math.min(...values), Math.max(...values)];
  }
  return combined;
}
