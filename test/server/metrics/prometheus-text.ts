// A strict parser of the Prometheus text exposition format (version 0.0.4), for tests: it
// throws, naming the line, on anything a Prometheus server would reject or misread: bad metric
// or label names, bad escapes or values, a sample before its TYPE, a family split in two, a
// repeated series, and histograms or summaries whose _bucket/_sum/_count do not agree.

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string | undefined;
  type: MetricType;
  samples: ParsedSample[];
}

const kMetricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const kLabelName = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const kTypes = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** A value as Go's ParseFloat reads it (what Prometheus uses): special values in any case. */
function parseValue(text: string, where: string): number {
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`${where}: bad value ${JSON.stringify(text)}`);
  return Number(text);
}

/** Reads `{name="value",...}` at the start of `text`; returns the labels and what follows. */
function parseLabels(text: string, where: string): [Record<string, string>, string] {
  const labels: Record<string, string> = {};
  let rest = text.slice(1);
  while (!rest.startsWith('}')) {
    const name = kLabelName.exec(rest)?.[0];
    if (name === undefined) throw new Error(`${where}: bad label name at ${JSON.stringify(rest.slice(0, 20))}`);
    if (name.startsWith('__')) throw new Error(`${where}: label name ${name} is reserved`);
    if (Object.hasOwn(labels, name)) throw new Error(`${where}: label ${name} repeated`);
    rest = rest.slice(name.length);
    if (!rest.startsWith('="')) throw new Error(`${where}: expected =" after label ${name}`);
    rest = rest.slice(2);
    let value = '';
    for (;;) {
      const char = rest[0];
      if (char === undefined) throw new Error(`${where}: unterminated value of label ${name}`);
      rest = rest.slice(1);
      if (char === '"') break;
      if (char === '\\') {
        const escaped = rest[0];
        rest = rest.slice(1);
        if (escaped === 'n') value += '\n';
        else if (escaped === '\\' || escaped === '"') value += escaped;
        else throw new Error(`${where}: bad escape \\${escaped} in label ${name}`);
      } else {
        value += char;
      }
    }
    labels[name] = value;
    if (rest.startsWith(',')) rest = rest.slice(1);
    else if (!rest.startsWith('}')) throw new Error(`${where}: expected , or } after label ${name}`);
  }
  return [labels, rest.slice(1)];
}

/** The family a sample name belongs to, given the families declared so far. */
function familyOf(sample: string, families: Map<string, MetricFamily>): MetricFamily | undefined {
  const exact = families.get(sample);
  if (exact !== undefined) return exact;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sample.endsWith(suffix)) continue;
    const family = families.get(sample.slice(0, -suffix.length));
    if (family === undefined) continue;
    if (family.type === 'histogram' || (family.type === 'summary' && suffix !== '_bucket')) return family;
  }
  return undefined;
}

const seriesKey = (name: string, labels: Record<string, string>): string =>
  `${name}{${Object.keys(labels).sort().map((key) => `${key}=${JSON.stringify(labels[key])}`).join(',')}}`;

function withoutLabel(labels: Record<string, string>, name: string): Record<string, string> {
  const rest = { ...labels };
  delete rest[name];
  return rest;
}

/** Checks a histogram family: per series, ascending le, cumulative counts, +Inf == _count, a _sum. */
function checkHistogram(family: MetricFamily): void {
  const series = new Map<string, { buckets: Array<[number, number]>; sum?: number; count?: number }>();
  const entry = (labels: Record<string, string>) => {
    const key = seriesKey('', labels);
    let found = series.get(key);
    if (found === undefined) series.set(key, (found = { buckets: [] }));
    return found;
  };
  for (const sample of family.samples) {
    if (sample.name === `${family.name}_bucket`) {
      const le = sample.labels.le;
      if (le === undefined) throw new Error(`${family.name}: a _bucket without le`);
      entry(withoutLabel(sample.labels, 'le')).buckets.push([parseValue(le, `${family.name} le`), sample.value]);
    } else if (sample.name === `${family.name}_sum`) {
      entry(sample.labels).sum = sample.value;
    } else if (sample.name === `${family.name}_count`) {
      entry(sample.labels).count = sample.value;
    } else {
      throw new Error(`${family.name}: histogram sample ${sample.name} is not _bucket, _sum or _count`);
    }
  }
  for (const [key, { buckets, sum, count }] of series) {
    const where = `${family.name}${key}`;
    if (sum === undefined || count === undefined) throw new Error(`${where}: missing _sum or _count`);
    if (buckets.length === 0 || buckets[buckets.length - 1]![0] !== Infinity) throw new Error(`${where}: no le="+Inf" bucket last`);
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i]![0] > buckets[i - 1]![0])) throw new Error(`${where}: le not ascending at ${buckets[i]![0]}`);
      if (buckets[i]![1] < buckets[i - 1]![1]) throw new Error(`${where}: bucket counts not cumulative at le=${buckets[i]![0]}`);
    }
    if (buckets[buckets.length - 1]![1] !== count) throw new Error(`${where}: le="+Inf" is ${buckets[buckets.length - 1]![1]}, _count is ${count}`);
  }
}

/** Checks a summary family: quantile samples in [0,1], and a _sum and _count per series. */
function checkSummary(family: MetricFamily): void {
  const sums = new Set<string>();
  const counts = new Set<string>();
  const quantileSeries = new Set<string>();
  for (const sample of family.samples) {
    if (sample.name === family.name) {
      const quantile = parseValue(sample.labels.quantile ?? 'missing', `${family.name} quantile`);
      if (!(quantile >= 0 && quantile <= 1)) throw new Error(`${family.name}: quantile ${quantile} outside [0,1]`);
      quantileSeries.add(seriesKey('', withoutLabel(sample.labels, 'quantile')));
    } else if (sample.name === `${family.name}_sum`) {
      sums.add(seriesKey('', sample.labels));
    } else if (sample.name === `${family.name}_count`) {
      counts.add(seriesKey('', sample.labels));
    } else {
      throw new Error(`${family.name}: summary sample ${sample.name} is not the quantiles, _sum or _count`);
    }
  }
  for (const key of new Set([...sums, ...counts, ...quantileSeries])) {
    if (!sums.has(key) || !counts.has(key)) throw new Error(`${family.name}${key}: missing _sum or _count`);
  }
}

/** Parses `text`; throws on the first violation of the format. */
export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  if (!text.endsWith('\n')) throw new Error('the text does not end with a line feed');
  const families = new Map<string, MetricFamily>();
  const series = new Set<string>();
  const closed = new Set<string>();
  let current: MetricFamily | undefined;
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, index) => {
    const where = `line ${index + 1} ${JSON.stringify(line.slice(0, 80))}`;
    if (line === '') return;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (match === null) return; // a plain comment
      const [, keyword, name, rest = ''] = match;
      if (kMetricName.exec(name!)?.[0] !== name) throw new Error(`${where}: bad metric name`);
      let family = families.get(name!);
      if (family === undefined) {
        if (current !== undefined) closed.add(current.name);
        families.set(name!, (family = { name: name!, help: undefined, type: 'untyped', samples: [] }));
      } else if (family !== current) {
        throw new Error(`${where}: ${name} was declared before, elsewhere`);
      }
      current = family;
      if (keyword === 'HELP') {
        if (family.help !== undefined) throw new Error(`${where}: second HELP`);
        for (let i = 0; i < rest.length; i++) {
          if (rest[i] !== '\\') continue;
          if (rest[i + 1] !== 'n' && rest[i + 1] !== '\\') throw new Error(`${where}: bad escape in HELP`);
          i++;
        }
        family.help = rest;
      } else {
        if (!kTypes.has(rest)) throw new Error(`${where}: unknown type ${rest}`);
        if (family.samples.length > 0) throw new Error(`${where}: TYPE after samples`);
        family.type = rest as MetricType;
      }
      return;
    }
    const name = kMetricName.exec(line)?.[0];
    if (name === undefined) throw new Error(`${where}: bad metric name`);
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) [labels, rest] = parseLabels(rest, where);
    const parts = rest.split(' ');
    if (parts[0] !== '' || parts.length < 2 || parts.length > 3) throw new Error(`${where}: expected one space, a value and an optional timestamp`);
    const value = parseValue(parts[1]!, where);
    if (parts.length === 3 && !/^-?\d+$/.test(parts[2]!)) throw new Error(`${where}: bad timestamp`);
    const family = familyOf(name, families);
    if (family === undefined) throw new Error(`${where}: sample before any TYPE of its family`);
    if (family !== current || closed.has(family.name)) throw new Error(`${where}: sample of ${family.name} outside its family's block`);
    const key = seriesKey(name, labels);
    if (series.has(key)) throw new Error(`${where}: series repeated`);
    series.add(key);
    if ((family.type === 'counter' || family.type === 'histogram') && value < 0) throw new Error(`${where}: negative ${family.type} value`);
    family.samples.push({ name, labels, value });
  });
  for (const family of families.values()) {
    if (family.type === 'histogram') checkHistogram(family);
    if (family.type === 'summary') checkSummary(family);
  }
  return families;
}

/** The value of the one sample of `name` whose labels include `labels`; throws when not exactly one. */
export function valueOf(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number {
  const matches = [...families.values()].flatMap((family) => family.samples)
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
  if (matches.length !== 1) throw new Error(`${name}${JSON.stringify(labels)}: ${matches.length} samples`);
  return matches[0]!.value;
}
