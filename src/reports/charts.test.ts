import { analyzeResults } from '../analysis/analysis';
import { powerLawAt } from '../analysis/fit';
import { exampleResults } from '../analysis/testing/synthetic';
import { runModuleScript } from '../testing/built_cli';
import { buildCharts, NamedChart } from './charts';

const results = exampleResults();
const analysis = analyzeResults(results);
const charts = buildCharts(results, analysis);
const chart = (name: string): NamedChart => charts.find((c) => c.name === name)!;
type Values = { values: Record<string, unknown>[] };

describe('chart specs', () => {
  it('are the six charts of the report, each with inline data', () => {
    expect(charts.map((c) => c.name)).toEqual(['time', 'time_loglog', 'memory', 'params', 'slowdown', 'gflops']);
    for (const c of charts) {
      expect(JSON.stringify(c.spec)).toContain('"values"');
      expect(JSON.stringify(c.spec)).not.toMatch(/"url"/);
    }
  });

  it('draw a panel per mode', () => {
    for (const name of ['time', 'time_loglog', 'memory', 'slowdown', 'gflops']) {
      const spec = chart(name).spec as { hconcat: { title: string }[] };
      expect(spec.hconcat.map((p) => p.title)).toEqual(['forward', 'decode']);
    }
  });

  it('log-log: fitted lines follow each fit, guides grow as n and n^2 from one anchor', () => {
    const forward = (chart('time_loglog').spec as { hconcat: { layer: { data: Values }[] }[] }).hconcat[0];
    const [guides, , fitted] = forward.layer.map((l) => l.data.values);
    const standard = analysis.fits.find((f) => f.model === 'Standard' && f.mode === 'forward')!;
    const line = fitted.filter((r) => r.model === 'Standard');
    expect(line.map((r) => r.seq_len)).toEqual([64, 512]);
    expect(line[1].ms).toBeCloseTo(powerLawAt(standard.time!, 512), 8);
    expect(fitted.some((r) => r.model === 'GAU')).toBe(false); // no fit, no line
    const guide = (name: string, n: number) => guides.find((g) => g.guide === name && g.seq_len === n)!.ms as number;
    expect(guide('O(n)', 64)).toBeCloseTo(guide('O(n^2)', 64), 12);
    expect(guide('O(n)', 512) / guide('O(n)', 64)).toBeCloseTo(8, 10);
    expect(guide('O(n^2)', 512) / guide('O(n^2)', 64)).toBeCloseTo(64, 10);
  });

  it('params: one bar per model with its parameter count', () => {
    const rows = (chart('params').spec as { data: Values }).data.values;
    expect(rows.map((r) => [r.model, r.params])).toEqual([['Standard', 3_200_000], ['Linear', 3_200_000], ['BSBR', 3_700_000], ['GAU', 3_900_000]]);
  });

  it('every spec compiles with vega-lite, without warnings, to a Vega spec with marks', () => {
    // vega-lite is ESM-only: compile in a child Node process (jest cannot import() it).
    const script = `
      import { compile } from 'vega-lite';
      let input = '';
      for await (const chunk of process.stdin) input += chunk;
      const out = {};
      for (const [name, spec] of Object.entries(JSON.parse(input))) {
        const warnings = [];
        const logger = { level() { return this; }, warn: (...a) => warnings.push(a.join(' ')), info() {}, debug() {}, error: (...a) => warnings.push('ERROR ' + a.join(' ')) };
        try {
          const vega = compile(spec, { logger }).spec;
          out[name] = { warnings, marks: JSON.stringify(vega.marks ?? []).length };
        } catch (err) {
          out[name] = { error: err.message };
        }
      }
      console.log(JSON.stringify(out));`;
    const specs = Object.fromEntries(charts.map((c) => [c.name, c.spec]));
    // Two specs that must be caught show that the check itself can fail.
    const broken = { mark: 'nonsense' };
    const warned = { data: { values: [] }, mark: 'point', encoding: { nonsense: { field: 'a', type: 'quantitative' } } };
    const child = runModuleScript(script, JSON.stringify({ ...specs, broken, warned }));
    expect(child.stderr).toBe('');
    const compiled = JSON.parse(child.stdout) as Record<string, { warnings?: string[]; marks?: number; error?: string }>;
    for (const c of charts) {
      expect({ name: c.name, ...compiled[c.name] }).toEqual({ name: c.name, warnings: [], marks: expect.any(Number) });
      expect(compiled[c.name].marks).toBeGreaterThan(100);
    }
    expect(compiled.broken.error).toEqual(expect.any(String));
    expect(compiled.warned.warnings).toEqual([expect.stringContaining('nonsense')]);
  });
});
