// Prints rows as a Markdown table (so a run's output can be pasted into bench/README.md as is).

/** `columns`: [{ title, value(row) → string, left? }]; numbers are right-aligned by default. */
export function markdownTable(columns, rows) {
  const cells = rows.map((row) => columns.map((c) => String(c.value(row))));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((r) => r[i].length)));
  const pad = (text, i) => (columns[i].left ? text.padEnd(widths[i]) : text.padStart(widths[i]));
  const line = (parts) => `| ${parts.join(' | ')} |`;
  return [
    line(columns.map((c, i) => pad(c.title, i))),
    line(columns.map((c, i) => (c.left ? ':' + '-'.repeat(widths[i] - 1) : '-'.repeat(widths[i] - 1) + ':'))),
    ...cells.map((r) => line(r.map(pad))),
  ].join('\n');
}

/** Fixed decimals, or "—" for a missing value. */
export const fixed = (value, digits = 1) => (value === undefined || value === null || Number.isNaN(value) ? '—' : value.toFixed(digits));

/** "a / b" as "1.23×", or "—" when either is missing. */
export const ratio = (a, b) => (a === undefined || b === undefined || !(b > 0) ? '—' : `${(a / b).toFixed(2)}×`);
