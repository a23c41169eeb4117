/**
 * A sharded sweep end to end, through the built command (run `npm run build` first): four shards run as
 * separate processes at once, merged, and compared with the same sweep run whole; the merged run read by
 * analyze and regress; bad merges refused; a shard resumed; --time-limit inside a shard.
 */
import * as fs from 'fs';
import * as path from 'path';
import { shardCases } from '../bench/shard_plan';
import { caseKey } from '../results/case_key';
import { readResults } from '../results/read';
import { CaseResult, ResultsFile } from '../results/schema';
import { CliResult, runCli, tempDir, TINY_ARGS } from './testing/cli';

const SWEEP = [...TINY_ARGS, '--models', 'BSBR', 'Linear', 'Standard', '--seq-lengths', '8', '16', '--mode', 'forward', 'decode', '--backend', 'wasm'];
const CASES = 3 * 2 * 2;
const SHARDS = ['shard-1', 'shard-2', 'shard-3', 'shard-4'];

const cwd = tempDir();
const read = (dir: string) => readResults(path.join(cwd, dir, 'results.json'));
/** What a case is apart from its timings and the run that measured it. */
const identity = (c: CaseResult) => ({ key: caseKey(c), status: c.status, params: c.params, flops: c.flops, batch: c.batch_size, repeats: c.repeats, backend: c.backend });

function expectRefusal(result: CliResult, pattern: RegExp): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^bsbr: error: /)]);
  expect(result.stderr).toMatch(pattern);
}

let whole: ResultsFile;
let merged: ResultsFile;
let mergeRun: CliResult;

beforeAll(async () => {
  const runs = await Promise.all([
    runCli(['compare', ...SWEEP, '--out', 'whole'], cwd),
    ...SHARDS.map((dir, i) => runCli(['compare', ...SWEEP, '--shard', `${i + 1}/4`, '--out', dir], cwd)),
  ]);
  for (const r of runs) expect(r.code).toBe(0);
  mergeRun = await runCli(['merge', ...SHARDS, '--out', 'merged'], cwd);
  whole = read('whole');
  merged = read('merged');
}, 300_000);

describe('four shards merged equal the whole sweep', () => {
  test('each shard ran only its share, every model\'s lengths ascending', () => {
    for (const [i, dir] of SHARDS.entries()) {
      const shard = read(dir);
      expect(shard.shard).toEqual({ index: i + 1, count: 4 });
      expect(shard.run_id).toMatch(new RegExp(`-shard-${i + 1}-of-4$`));
      expect(shard.cases.map(caseKey)).toEqual(shardCases(shard.sweep, shard.config, shard.shard).map((c) => caseKey({ ...c, seq_len: c.seqLen })));
      expect(shard.cases.length).toBeGreaterThan(0);
    }
  });

  test('merge exits 0 and says what it wrote', () => {
    expect(mergeRun.code).toBe(0);
    expect(mergeRun.stdout).toBe(`merged 4 shards, ${CASES} cases: ${path.join('merged', 'results.json')} and ${path.join('merged', 'results.csv')}\n`);
    // The shards ran on this one machine: no warning.
    expect(mergeRun.stderr).toBe('');
  });

  test('same cases in the same order, same settings and config, timings measured', () => {
    expect(merged.sweep).toEqual(whole.sweep);
    expect(merged.config).toEqual(whole.config);
    expect(merged.environment.backend).toBe(whole.environment.backend);
    expect(merged.cases.map(identity)).toEqual(whole.cases.map(identity));
    for (const c of merged.cases) {
      expect(c.status).toBe('ok');
      expect(c.median_ms).toBeGreaterThan(0);
      expect(c.samples_ms).toHaveLength(1);
    }
  });

  test('each case keeps the run id, environment and calibration of the shard that measured it', () => {
    const shards = SHARDS.map(read);
    expect(merged.shards!.map((s) => s.run_id)).toEqual(shards.map((s) => s.run_id));
    expect(merged.shards!.map((s) => s.calibration)).toEqual(shards.map((s) => s.calibration));
    expect(merged.shards!.map((s) => s.environment)).toEqual(shards.map((s) => s.environment));
    for (const c of merged.cases) {
      const owner = shards.find((s) => s.cases.some((o) => caseKey(o) === caseKey(c)))!;
      expect(c).toEqual(owner.cases.find((o) => caseKey(o) === caseKey(c)));
    }
  });

  test('results.csv: the whole run\'s rows, case for case', () => {
    const rows = (dir: string) => fs.readFileSync(path.join(cwd, dir, 'results.csv'), 'utf8').trimEnd().split('\n').map((l) => l.split(','));
    const columns = (r: string[]) => [r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[13], r[15]]; // model .. status, repeats, flops
    expect(rows('merged').map(columns)).toEqual(rows('whole').map(columns));
  });
});

describe('the merged run is what analyze and regress take', () => {
  test('analyze fits the same models and modes from it', async () => {
    const result = await runCli(['analyze', '--results', path.join('merged', 'results.json')], cwd);
    expect(result.code).toBe(0);
    expect(fs.existsSync(path.join(cwd, 'merged', 'report.html'))).toBe(true);
    const fitted = (dir: string) => fs.readFileSync(path.join(cwd, dir, 'fits.csv'), 'utf8').trimEnd().split('\n').map((l) => l.split(',').slice(0, 2));
    expect(fitted('merged')).toEqual(fitted('whole'));
  });

  test('regress pairs every case, with the merged run as current and as baseline', async () => {
    for (const [baseline, current] of [['whole', 'merged'], ['merged', 'whole']]) {
      const result = await runCli(['regress', '--baseline', path.join(baseline, 'results.json'), '--current', path.join(current, 'results.json'), '--format', 'json'], cwd);
      // The verdicts are timings' (five runs at once on a shared machine): 0 or 1, never bad input.
      expect([0, 1]).toContain(result.code);
      const report = JSON.parse(result.stdout) as { cases: Array<{ model: string; mode: string; seq_len: number; change: number | null }> };
      expect(report.cases.map(caseKey)).toEqual(whole.cases.map(caseKey));
      expect(report.cases.every((c) => c.change !== null)).toBe(true);
    }
  });
});

describe('bad merges: exit 2, one line, nothing written', () => {
  test('a missing shard', async () => {
    expectRefusal(await runCli(['merge', 'shard-1', 'shard-2', 'shard-4', '--out', 'bad'], cwd), /shard 3\/4 is missing \(give every shard's folder, or --allow-partial/);
    expect(fs.existsSync(path.join(cwd, 'bad'))).toBe(false);
  });

  test('a shard given twice', async () => {
    expectRefusal(await runCli(['merge', ...SHARDS, 'shard-2', '--out', 'bad'], cwd), /shard 2\/4 is given twice: shard-2 and shard-2/);
    expect(fs.existsSync(path.join(cwd, 'bad'))).toBe(false);
  });

  test('a run that is not a shard, and a folder without results', async () => {
    expectRefusal(await runCli(['merge', ...SHARDS, 'whole', '--out', 'bad'], cwd), /whole is not a shard run \(it is a run made without --shard\)/);
    expectRefusal(await runCli(['merge', ...SHARDS, 'nowhere', '--out', 'bad'], cwd), /results file not found: nowhere\/results.json/);
    expect(fs.existsSync(path.join(cwd, 'bad'))).toBe(false);
  });

  test('an --out that already holds a run', async () => {
    const before = fs.readFileSync(path.join(cwd, 'merged', 'results.json'), 'utf8');
    expectRefusal(await runCli(['merge', ...SHARDS, '--out', 'merged'], cwd), /--out: 'merged' already holds a results.json \(choose another --out\)/);
    expect(fs.readFileSync(path.join(cwd, 'merged', 'results.json'), 'utf8')).toBe(before);
  });

  test('--allow-partial merges what there is and warns what is missing', async () => {
    const result = await runCli(['merge', 'shard-1', 'shard-2', 'shard-4', '--allow-partial', '--out', 'partial'], cwd);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('bsbr: warning: partial merge: shard 3/4 is missing\n');
    expect(read('partial').cases.length).toBe(CASES - read('shard-3').cases.length);
  });
});

describe('a shard is an ordinary run folder', () => {
  test('an unfinished shard is refused by merge, resumed with its own share, then merged', async () => {
    const shard = read('shard-2');
    fs.mkdirSync(path.join(cwd, 'unfinished'));
    fs.writeFileSync(path.join(cwd, 'unfinished', 'results.json'), JSON.stringify({ ...shard, cases: shard.cases.slice(0, 1) }));
    const lacking = shard.cases.length - 1;
    expectRefusal(await runCli(['merge', 'shard-1', 'unfinished', 'shard-3', 'shard-4', '--out', 'bad'], cwd), new RegExp(`shard 2/4 in unfinished lacks ${lacking} of its cases .*: finish it with bsbr compare --resume unfinished`));
    expectRefusal(await runCli(['compare', '--resume', 'unfinished', '--shard', '3/4'], cwd), /--shard 3\/4 conflicts with the run being resumed, which used 2\/4/);
    const resumed = await runCli(['compare', '--resume', 'unfinished'], cwd);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout.split('\n')[0]).toBe(`${lacking} of ${shard.cases.length} cases to run`);
    expect(read('unfinished').cases.map(caseKey)).toEqual(shard.cases.map(caseKey));
    expect((await runCli(['merge', 'shard-1', 'unfinished', 'shard-3', 'shard-4', '--out', 'remerged'], cwd)).code).toBe(0);
  }, 120_000);

  test('--time-limit still skips the longer lengths after a slow one within each shard', async () => {
    const lengths = ['--models', 'Linear', '--seq-lengths', '8', '16', '32', '64', '--time-limit', '1e-9'];
    const results = await Promise.all([1, 2].map((i) => runCli(['compare', ...TINY_ARGS, ...lengths, '--shard', `${i}/2`, '--out', `limit-${i}`], cwd)));
    for (const r of results) expect(r.code).toBe(0);
    for (const dir of ['limit-1', 'limit-2']) {
      const statuses = read(dir).cases.map((c) => c.status);
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses).toEqual(statuses.map((_, i) => (i === 0 ? 'ok' : 'skipped')));
    }
  }, 120_000);
});
