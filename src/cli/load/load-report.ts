/** `inferline bench` output: a table for the terminal, JSON, CSV, and an SVG chart of throughput against latency. */
import type { LevelResult } from './measure-level.js';

const kColumns = ['concurrency', 'throughput', 'p50', 'p90', 'p95', 'p99', 'requests', 'errors', 'windows', 'stable'] as const;

export function formatTable(results: readonly LevelResult[]): string {
  const header = ['concurrency', 'infer/s', 'p50 ms', 'p90 ms', 'p95 ms', 'p99 ms', 'requests', 'errors', 'stable'];
  const rows = results.map((r) => [String(r.concurrency), r.throughput.toFixed(1), r.p50.toFixed(2), r.p90.toFixed(2), r.p95.toFixed(2),
    r.p99.toFixed(2), String(r.requests), String(r.errors), r.stable ? 'yes' : `no (${r.windows} windows)`]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((cell, i) => cell.padStart(widths[i]!)).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

export function toCsv(results: readonly LevelResult[]): string {
  return [kColumns.join(','), ...results.map((r) => kColumns.map((c) => String(r[c])).join(','))].join('\n') + '\n';
}

export function toJson(results: readonly LevelResult[], label: string): string {
  return JSON.stringify({ target: label, levels: results }, null, 2) + '\n';
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Throughput (x) against p99 and p50 latency (y), one point per concurrency level, labelled. */
export function toSvg(results: readonly LevelResult[], title: string): string {
  const width = 640;
  const height = 400;
  const margin = { left: 64, right: 24, top: 40, bottom: 48 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const maxX = Math.max(1, ...results.map((r) => r.throughput)) * 1.1;
  const maxY = Math.max(0.001, ...results.map((r) => r.p99)) * 1.1;
  const x = (v: number): number => margin.left + (v / maxX) * plotW;
  const y = (v: number): number => margin.top + plotH - (v / maxY) * plotH;
  const series = (key: 'p50' | 'p99', color: string): string => {
    const points = results.map((r) => `${x(r.throughput).toFixed(1)},${y(r[key]).toFixed(1)}`).join(' ');
    const dots = results.map((r) => `<circle cx="${x(r.throughput).toFixed(1)}" cy="${y(r[key]).toFixed(1)}" r="3.5" fill="${color}"/>` +
      (key === 'p99' ? `<text x="${(x(r.throughput) + 6).toFixed(1)}" y="${(y(r[key]) - 6).toFixed(1)}" font-size="11">c=${r.concurrency}</text>` : '')).join('');
    return `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points}"/>${dots}`;
  };
  const ticks = (max: number, count: number): number[] => Array.from({ length: count + 1 }, (_, i) => (max * i) / count);
  const xTicks = ticks(maxX, 5).map((v) => `<text x="${x(v).toFixed(1)}" y="${height - margin.bottom + 18}" font-size="11" text-anchor="middle">${v.toFixed(0)}</text>`).join('');
  const yTicks = ticks(maxY, 5).map((v) => `<text x="${margin.left - 8}" y="${(y(v) + 4).toFixed(1)}" font-size="11" text-anchor="end">${v.toFixed(v < 10 ? 1 : 0)}</text>` +
    `<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`).join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" font-size="14" text-anchor="middle">${escapeXml(title)}</text>`,
    yTicks, xTicks,
    `<line x1="${margin.left}" y1="${margin.top + plotH}" x2="${width - margin.right}" y2="${margin.top + plotH}" stroke="black"/>`,
    `<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${margin.top + plotH}" stroke="black"/>`,
    `<text x="${margin.left + plotW / 2}" y="${height - 10}" font-size="12" text-anchor="middle">throughput (infer/s)</text>`,
    `<text x="16" y="${margin.top + plotH / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 16 ${margin.top + plotH / 2})">latency (ms)</text>`,
    series('p50', '#2b7bb9'), series('p99', '#d9534f'),
    `<text x="${width - margin.right - 90}" y="${margin.top + 14}" font-size="12" fill="#d9534f">— p99</text>`,
    `<text x="${width - margin.right - 90}" y="${margin.top + 30}" font-size="12" fill="#2b7bb9">— p50</text>`,
    '</svg>',
  ].join('\n') + '\n';
}
