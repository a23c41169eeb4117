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
  it('tables every case with the normalised baseline and current beside their change, the noise bar and the verdict', () => {
    const text = formatTable(report, 120);
    const rows = readTextTable(text, 'model').map((r) => [
      r.model,
      r.baseline,
      r.current,
      r.change,
      r['noise bar'],
      r.verdict,
    ]);
    // Medians 4 and 12 ms over a 20 ms calibration: 0.2 and 0.6; 30% slower: 0.78.
    expect(rows).toEqual([
      ['BSBR', '0.200', '0.200', '+0.0%', '±5.0%', 'within threshold'],
      ['Standard', '0.600', '0.780', '+30%', '±5.0%', 'regression'],
      ['GAU', 'error', 'error', '-', '-', 'not ok in both'],
    ]);
    expect(text.split('\n').pop()).toBe(
      '1 regression: 2 cases compared, 1 listed only (missing or not ok on a side); regressed: Standard forward n=256',
    );
  });

  it('fits 80 columns with the noise bar kept (the mode goes first, and says so)', () => {
    const long = run(['SlidingWindow', 'Standard'].map((model) => ({ model, seq_len: 16384, spread: 0.9 })));
    const wide = compareRuns({ path: 'b.json', results: long }, { path: 'c.json', results: slower(long, 1.05) });
    const text = formatTable(wide, 80);
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    const rows = readTextTable(text, 'model');
    expect(rows.map((r) => r.verdict)).toEqual(['inconclusive', 'inconclusive']);
    expect(rows.every((r) => /^±\d+%$/.test(r['noise bar']))).toBe(true);
    expect(text).toContain('(left out at 80 columns: mode)');
  });

  it('says why a comparison is inconclusive: the noise bars against the threshold', () => {
    const noisy = run([
      { model: 'BSBR', seq_len: 256, spread: 0.9 },
      { model: 'Linear', seq_len: 256, median_ms: 4 },
    ]);
    const text = formatTable(compareRuns({ path: 'b.json', results: noisy }, { path: 'c.json', results: noisy }), 200);
    const outcome = text.split('\n\n').pop()!.split('\n');
    expect(outcome[0]).toBe('inconclusive: 2 cases compared, 0 listed only (missing or not ok on a side)');
    expect(outcome[1]).toMatch(
      /^inconclusive: 1 case cannot show a 10% change \(noise bar ±\d+%\): the noise exceeds what must be detected, so no pass is given\. /,
    );
  });

  it('writes a GitHub markdown table with one row per case and escaped pipes', () => {
    const lines = formatMarkdown(report).split('\n');
    expect(lines[0]).toBe('### bsbr regress: REGRESSION');
    const table = lines.filter((l) => l.startsWith('| '));
    expect(table[0]).toBe('| model | mode | n | baseline | current | change | noise bar | verdict |');
    expect(table[1]).toBe('| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |');
    expect(table.slice(2).map((l) => l.split(' | ')[0])).toEqual(['| BSBR', '| Standard', '| GAU']);
    expect(lines.some((l) => l.includes('base\\|line.json'))).toBe(true);
  });

  it('writes the whole report as JSON', () => {
    const parsed = JSON.parse(formatJson(report));
    expect(parsed).toMatchObject({
      threshold: 0.1,
      regressions: 1,
      outcome: 'regression',
      baseline: { path: 'base|line.json' },
      current: { path: 'cur.json' },
    });
    expect(parsed.cases.map((c: { verdict: string }) => c.verdict)).toEqual([
      'within threshold',
      'regression',
      'not ok in both',
    ]);
    expect(parsed.cases[1].change).toBeCloseTo(0.3, 10);
  });

  it('writes one CSV row per case with both sides raw and normalised, the change and the verdict', () => {
    const [head, ...lines] = formatCsv(report).split('\n');
    expect(head).toBe(
      'model,mode,seq_len,normalised_by,baseline_status,baseline_median_ms,baseline_calibration_ms,baseline_normalised,baseline_error,' +
        'current_status,current_median_ms,current_calibration_ms,current_normalised,current_error,change,noise,verdict',
    );
    const cells = lines.map((l) => l.split(','));
    expect(cells.map((r) => [r[0], r[3], r[4], r[5], r[6], r[10], r[16]])).toEqual([
      ['BSBR', 'run', 'ok', '4', '20', '4', 'within threshold'],
      ['Standard', 'run', 'ok', '12', '20', '15.6', 'regression'],
      ['GAU', '', 'error', '', '', '', 'not ok in both'],
    ]);
    expect(Number(cells[1][14])).toBeCloseTo(0.3, 10);
  });
});
