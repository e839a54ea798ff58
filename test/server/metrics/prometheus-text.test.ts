// The test parser itself: it accepts well-formed text and rejects what Prometheus would, so a
// passing metrics test means something.
import { describe, expect, it } from 'vitest';
import { parsePrometheusText, valueOf } from './prometheus-text.js';

const kGood = [
  '# HELP a_total Things counted, with a \\\\ and a \\n',
  '# TYPE a_total counter',
  'a_total{model="m",version="1"} 3',
  'a_total{model="q\\"uote\\\\d",version="1"} 0',
  '',
  '# TYPE h histogram',
  'h_bucket{le="1"} 1',
  'h_bucket{le="4"} 3',
  'h_bucket{le="+Inf"} 4',
  'h_sum 9.5',
  'h_count 4',
  '# TYPE s summary',
  's{quantile="0.5"} 1e-3',
  's_sum 0.25',
  's_count 7',
  '',
].join('\n');

describe('parsePrometheusText', () => {
  it('reads families, labels with escapes, and values', () => {
    const families = parsePrometheusText(kGood);
    expect([...families.keys()]).toEqual(['a_total', 'h', 's']);
    expect(valueOf(families, 'a_total', { model: 'q"uote\\d' })).toBe(0);
    expect(valueOf(families, 'h_bucket', { le: '+Inf' })).toBe(4);
    expect(valueOf(families, 's', { quantile: '0.5' })).toBe(0.001);
  });

  it.each([
    ['a sample before its TYPE', 'x 1\n'],
    ['a bad metric name', '# TYPE 1x gauge\n1x 1\n'],
    ['a bad label name', '# TYPE x gauge\nx{1a="b"} 1\n'],
    ['an unquoted label value', '# TYPE x gauge\nx{a=b} 1\n'],
    ['a bad escape', '# TYPE x gauge\nx{a="\\t"} 1\n'],
    ['a bad value', '# TYPE x gauge\nx 1,5\n'],
    ['a repeated series', '# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2\n'],
    ['a family split in two', '# TYPE x gauge\nx{a="1"} 1\n# TYPE y gauge\ny 1\nx{a="2"} 1\n'],
    ['a negative counter', '# TYPE x counter\nx -1\n'],
    ['+Inf bucket unequal to _count', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n'],
    ['buckets not cumulative', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="2"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n'],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_sum 1\nh_count 2\n'],
    ['a summary without _count', '# TYPE s summary\ns{quantile="0.5"} 1\ns_sum 1\n'],
    ['no final line feed', '# TYPE x gauge\nx 1'],
  ])('rejects %s', (_, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
