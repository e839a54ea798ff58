/** perf_analyzer-style concurrency ranges: "1:64:x2" (start:end, times 2), "1:16:4" (step 4), "1,8,64". */
import { errors } from '../../errors.js';

const kMaxLevels = 64;

/** @throws ERR_INFERLINE_INVALID_ARG for a range it cannot read. */
export function parseConcurrency(text: string): number[] {
  const bad = (why: string): Error => errors.invalidArg(`--concurrency "${text}": ${why}; expected start:end:step (step "xK" multiplies), or a list like 1,8,64`);
  const positive = (part: string): number => {
    const value = Number(part);
    if (!Number.isInteger(value) || value < 1 || value > 100_000) throw bad(`"${part}" is not an integer from 1 to 100000`);
    return value;
  };
  if (!text.includes(':')) return text.split(',').map((part) => positive(part.trim()));
  const [startText, endText, stepText = '1'] = text.split(':');
  const start = positive(startText ?? '');
  const end = positive(endText ?? '');
  if (end < start) throw bad('end is below start');
  const multiply = stepText.startsWith('x');
  const step = positive(multiply ? stepText.slice(1) : stepText);
  if (multiply && step < 2) throw bad('a multiplying step must be x2 or more');
  const levels: number[] = [];
  for (let level = start; level <= end; level = multiply ? level * step : level + step) {
    levels.push(level);
    if (levels.length > kMaxLevels) throw bad(`more than ${kMaxLevels} levels`);
  }
  return levels;
}
