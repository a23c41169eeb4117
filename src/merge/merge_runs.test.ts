import { UsageError } from '../options/usage_error';
import { caseKey } from '../results/case_key';
import { ResultsFile } from '../results/schema';
import { run, slower, slowerCalibration, sweep } from '../regress/testing/runs';
import { mergeShards } from './merge_runs';
import { cutIntoShards } from './testing/shards';

const NOW = new Date('2025-05-06T07:08:09.000Z');
const merge = (runs: Array<{ dir: string; results: ResultsFile }>, allowPartial = false) =>
  mergeShards(runs, { allowPartial, runId: 'merged-run', command: ['bsbr', 'merge'], now: NOW });

const whole = run(sweep());
const shards = cutIntoShards(whole, 4);

/** Expects mergeShards to refuse with a UsageError matching `message`. */
function refused(runs: Array<{ dir: string; results: ResultsFile }>, message: RegExp, allowPartial = false): void {
  expect(() => merge(runs, allowPartial)).toThrow(UsageError);
  expect(() => merge(runs, allowPartial)).toThrow(message);
}

describe('a sound merge', () => {
  test('every shard holds some cases (the fixture cuts as compare --shard does)', () => {
    expect(shards.map((s) => s.results.cases.length).every((n) => n > 0)).toBe(true);
    expect(shards.flatMap((s) => s.results.cases).length).toBe(whole.cases.length);
  });

  test("has the whole run's cases in run order, whatever the order of the folders", () => {
    const { results, warnings } = merge([shards[2], shards[0], shards[3], shards[1]]);
    expect(results.cases.map(caseKey)).toEqual(whole.cases.map(caseKey));
    expect(results.cases.map(({ run_id: _, ...c }) => c)).toEqual(whole.cases.map(({ run_id: _, ...c }) => c));
    expect(results.sweep).toEqual(whole.sweep);
    expect(results.config).toEqual(whole.config);
    expect(warnings).toEqual([]);
  });

  test("keeps each shard's run id, environment and calibration, and each case names its shard", () => {
    const { results } = merge(shards);
    expect(results.run_id).toBe('merged-run');
    expect(results.created_at).toBe(NOW.toISOString());
    expect(results.shard).toBeUndefined();
    expect(results.shards!.map((s) => [s.shard, s.run_id])).toEqual(
      shards.map((s) => [s.results.shard, s.results.run_id]),
    );
    expect(results.shards!.map((s) => s.calibration)).toEqual(shards.map((s) => s.results.calibration));
    expect(results.environment).toEqual(shards[0].results.environment);
    for (const c of results.cases) {
      const owner = shards.find((s) => s.results.cases.some((o) => caseKey(o) === caseKey(c)))!;
      expect(c.run_id).toBe(owner.results.run_id);
    }
  });
});

describe('refusals', () => {
  test('a run made without --shard, and a merged run', () => {
    refused(
      [shards[0], { dir: 'plain', results: whole }],
      /^plain is not a shard run \(it is a run made without --shard\)/,
    );
    const merged = merge(shards).results;
    refused([{ dir: 'merged', results: merged }], /^merged is not a shard run \(it is a merged run\)/);
  });

  test('shards of different sweeps: the first difference is named', () => {
    const other = (change: Partial<ResultsFile>) => ({ dir: 'other', results: { ...shards[1].results, ...change } });
    refused(
      [shards[0], other({ config: { ...whole.config, hiddenDim: 512 } })],
      /^shard-1 and other are shards of different sweeps: the model config's hiddenDim is 256 in one and 512 in the other$/,
    );
    refused(
      [shards[0], other({ sweep: { ...whole.sweep, repeats: 9 } })],
      /the sweep's repeats is 3 in one and 9 in the other/,
    );
    refused(
      [shards[0], other({ environment: { ...whole.environment, backend: 'cpu' } })],
      /the backend is "wasm" in one and "cpu" in the other/,
    );
    refused([shards[0], other({ shard: { index: 2, count: 3 } })], /the shard count is 4 in one and 3 in the other/);
    refused(
      [shards[0], other({ calibration: { ...whole.calibration!, description: 'matmul 8x8x8 float32' } })],
      /the calibration is "matmul 512x512x512 float32" in one and "matmul 8x8x8 float32" in the other/,
    );
  });

  test('a shard given twice', () => {
    refused([shards[0], shards[1], { ...shards[1], dir: 'copy' }], /^shard 2\/4 is given twice: shard-2 and copy$/);
  });

  test('a case in two shards', () => {
    const stray = {
      ...shards[1],
      results: { ...shards[1].results, cases: [...shards[1].results.cases, shards[0].results.cases[0]] },
    };
    refused(
      [shards[0], stray, shards[2], shards[3]],
      new RegExp(`^the case ${caseKey(shards[0].results.cases[0])} is in two shards: shard-1 and shard-2$`),
    );
  });

  test('more shards than cases: the shards with no case need no folder', () => {
    const many = cutIntoShards(whole, whole.cases.length + 3);
    const { results, warnings } = merge(many.filter((s) => s.results.cases.length > 0));
    expect(results.cases.map(caseKey)).toEqual(whole.cases.map(caseKey));
    expect(warnings).toEqual([]);
  });

  test("a case that names another run id than its shard's: refused, as every reader would refuse the merge", () => {
    const stray = {
      dir: 'stray',
      results: {
        ...shards[1].results,
        cases: shards[1].results.cases.map((c, i) => (i === 0 ? { ...c, run_id: 'another-run' } : c)),
      },
    };
    refused(
      [shards[0], stray, shards[2], shards[3]],
      /^stray holds the case .* of run "another-run", not of its own run "[^"]+"$/,
    );
  });

  test("a case that is not the sweep's", () => {
    const odd = { ...shards[0].results.cases[0], seq_len: 999 };
    const extra = { ...shards[0], results: { ...shards[0].results, cases: [...shards[0].results.cases, odd] } };
    refused(
      [extra, ...shards.slice(1)],
      new RegExp(`^shard-1 holds the case ${caseKey(odd)}, which is not one of its sweep's cases$`),
    );
  });

  test('a missing shard, unless --allow-partial, which merges the rest and says what is missing', () => {
    const three = [shards[0], shards[1], shards[3]];
    refused(three, /^shard 3\/4 is missing \(give every shard's folder, or --allow-partial to merge what there is\)$/);
    const { results, warnings } = merge(three, true);
    expect(results.cases).toHaveLength(whole.cases.length - shards[2].results.cases.length);
    expect(warnings).toEqual(['partial merge: shard 3/4 is missing']);
  });

  test('an unfinished shard names its folder and how to finish it', () => {
    const cut = { ...shards[1], results: { ...shards[1].results, cases: shards[1].results.cases.slice(0, -1) } };
    const lost = caseKey(shards[1].results.cases[shards[1].results.cases.length - 1]);
    refused(
      [shards[0], cut, shards[2], shards[3]],
      new RegExp(
        `^shard 2/4 in shard-2 lacks 1 of its cases \\(${lost}\\): finish it with bsbr compare --resume shard-2`,
      ),
    );
    expect(merge([shards[0], cut, shards[2], shards[3]], true).warnings).toHaveLength(1);
  });
});

describe('machines', () => {
  test('shards on different kinds of machine are merged with a warning naming each kind and its shards', () => {
    const fast = shards.map((s, i) =>
      i < 2
        ? s
        : {
            ...s,
            results: { ...s.results, environment: { ...s.results.environment, cpu_model: 'Big CPU', cpu_count: 64 } },
          },
    );
    const { warnings } = merge(fast);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^the shards ran on different kinds of machine \(shards 1\/4, 2\/4: Synthetic CPU .* x2, 24 GiB, linux-x64; shards 3\/4, 4\/4: Big CPU x64, 24 GiB, linux-x64\)/,
    );
    expect(warnings[0]).toMatch(/bsbr regress divides each case by its own shard's calibration/);
  });

  test('another hostname alone is not another kind of machine; another bsbr version is a warning of its own', () => {
    const hosts = shards.map((s, i) => ({
      ...s,
      results: { ...s.results, environment: { ...s.results.environment, hostname: `node-${i}` } },
    }));
    expect(merge(hosts).warnings).toEqual([]);
    const versions = shards.map((s, i) =>
      i === 0
        ? s
        : { ...s, results: { ...s.results, environment: { ...s.results.environment, bsbr_version: '0.2.0' } } },
    );
    expect(merge(versions).warnings).toEqual([
      expect.stringMatching(
        /^the shards ran different software \(shard 1\/4: bsbr 0\.1\.0, .*; shards 2\/4, 3\/4, 4\/4: bsbr 0\.2\.0, /,
      ),
    ]);
  });

  test('a shard on a machine twice as slow keeps its own raw timings and calibration', () => {
    const slowShard = { ...shards[1], results: slowerCalibration(slower(shards[1].results, 2), 2) };
    const { results } = merge([shards[0], slowShard, shards[2], shards[3]]);
    expect(results.shards![1].calibration!.median_ms).toBe(2 * whole.calibration!.median_ms);
    const slowKeys = new Set(shards[1].results.cases.map(caseKey));
    for (const c of results.cases) {
      const original = whole.cases.find((o) => caseKey(o) === caseKey(c))!;
      expect(c.median_ms).toBeCloseTo(original.median_ms! * (slowKeys.has(caseKey(c)) ? 2 : 1), 10);
    }
  });
});
