import { compareRuns } from './compare_runs';
import { readTextTable } from '../testing/text_table';
import { formatCsv, formatJson, formatMarkdown, formatTable } from './format';
import { run, slower } from './testing/runs';

const baseline = run([
  { model: 'BSBR', seq_len: 256, median_ms: 4 },
  { model: 'Standard', seq_len: 256, median_ms: 12 },
  { model: 'GAU', seq_len: 256, status: 'error' },
]);
const current = slower(baseline, 1.3, (c) => c.model === 'Standard');
const report = compareRuns({ path: 'base|line.json', results: baseline }, { path: 'cur.json', results: current });

describe('regress output', () => {
  it('tables every case with baseline, current, change, noise bar and verdict, and names the regression', () => {
    const text = formatTable(report, 120);
    const rows = readTextTable(text, 'model').map((r) => [r.model, r['baseline ms'], r['current ms'], r.change, r.verdict]);
    expect(rows).toEqual([
      ['BSBR', '4.000', '4.000', '+0.0%', 'within threshold'],
      ['Standard', '12.0', '15.6', '+30.0%', 'regression'],
      ['GAU', 'error', 'error', '-', 'not ok in both'],
    ]);
    expect(text.split('\n').pop()).toBe(
      '1 regression: 2 cases compared, 1 listed only (missing or not ok on a side); regressed: Standard forward n=256',
    );
  });

  it('fits 80 columns, leaving out the noise bar and saying so', () => {
    const text = formatTable(report, 80);
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(readTextTable(text, 'model').map((r) => r.verdict)).toEqual(['within threshold', 'regression', 'not ok in both']);
    expect(text).toContain('(left out at 80 columns: noise bar)');
  });

  it('writes a GitHub markdown table with one row per case and escaped pipes', () => {
    const lines = formatMarkdown(report).split('\n');
    expect(lines[0]).toBe('### bsbr regress: REGRESSION');
    const table = lines.filter((l) => l.startsWith('| '));
    expect(table[0]).toBe('| model | mode | n | baseline ms | current ms | change | noise bar | verdict |');
    expect(table[1]).toBe('| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |');
    expect(table.slice(2).map((l) => l.split(' | ')[0])).toEqual(['| BSBR', '| Standard', '| GAU']);
    expect(lines.some((l) => l.includes('base\\|line.json'))).toBe(true);
  });

  it('writes the whole report as JSON', () => {
    const parsed = JSON.parse(formatJson(report));
    expect(parsed).toMatchObject({ threshold: 0.1, regressions: 1, baseline: { path: 'base|line.json' }, current: { path: 'cur.json' } });
    expect(parsed.cases.map((c: { verdict: string }) => c.verdict)).toEqual(['within threshold', 'regression', 'not ok in both']);
    expect(parsed.cases[1].change).toBeCloseTo(0.3, 10);
  });

  it('writes one CSV row per case with both sides, the change and the verdict', () => {
    const [head, ...lines] = formatCsv(report).split('\n');
    expect(head).toBe('model,mode,seq_len,baseline_status,baseline_median_ms,baseline_normalised,baseline_spread,current_status,current_median_ms,current_normalised,current_spread,change,noise,verdict');
    expect(lines.map((l) => l.split(',')).map((r) => [r[0], r[3], r[4], r[8], r[13]])).toEqual([
      ['BSBR', 'ok', '4', '4', 'within threshold'],
      ['Standard', 'ok', '12', String(12 * 1.3), 'regression'],
      ['GAU', 'error', '', '', 'not ok in both'],
    ]);
    expect(Number(lines[1].split(',')[11])).toBeCloseTo(0.3, 10);
  });
});
