/**
 * A sharded sweep end to end, through the built command (run `npm run build` first). The GitHub
 * workflow's steps run here: four shard jobs at once as separate processes, their artifacts moved to
 * the merge job, which merges and analyses. The merged run is compared with the same sweep run whole,
 * and read by analyze and regress. Then the Slurm array script as two array tasks, bad merges, a shard
 * resumed, and --time-limit inside a shard.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { shardCases } from '../sweep/shards';
import { packageRoot } from '../package_root';
import { caseKey, plannedCaseKey } from '../results/case_key';
import { readResults } from '../results/read';
import { CaseResult, ResultsFile } from '../results/schema';
import { CliResult, collect, runCli, tempDir, TINY_ARGS } from '../testing/cli';
import { readTextTable } from '../testing/text_table';
import { fakeCheckout, readWorkflow, runJob, substitute, WorkflowJob, WorkflowStep } from '../testing/workflow';

const SWEEP = [
  ...TINY_ARGS,
  '--models',
  'BSBR',
  'Linear',
  'Standard',
  '--seq-lengths',
  '8',
  '16',
  '--mode',
  'forward',
  'decode',
  '--backend',
  'wasm',
];
const CASES = 3 * 2 * 2;

const cwd = tempDir();
const read = (dir: string) => readResults(path.join(cwd, dir, 'results.json'));
/** What a case is apart from its timings and the run that measured it. */
const identity = (c: CaseResult) => ({
  key: caseKey(c),
  status: c.status,
  params: c.params,
  flops: c.flops,
  batch: c.batch_size,
  repeats: c.repeats,
  backend: c.backend,
});

function expectRefusal(result: CliResult, pattern: RegExp): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^bsbr: error: /)]);
  expect(result.stderr).toMatch(pattern);
}

const workflow = readWorkflow('shards.yml');
const matrix = workflow.jobs.shard.strategy!.matrix!.shard as number[];
const step = (job: WorkflowJob, action: string) =>
  job.steps.find((s) => s.uses?.startsWith(`actions/${action}@`)) as WorkflowStep;
/** The merge job's checkout, where the shards' artifacts land. */
const RUNNER = 'runner-merge';
const SHARDS = matrix.map((k) => path.join(RUNNER, 'shards', `shard-${k}`));
const MERGED = path.join(RUNNER, 'merged');

let whole: ResultsFile;
let merged: ResultsFile;
let mergeJob: CliResult;

beforeAll(async () => {
  const preset = SWEEP.join(' ');
  const shardJobs = matrix.map(async (k) => {
    const dir = path.join(cwd, `runner-${k}`);
    fakeCheckout(dir);
    fs.writeFileSync(path.join(dir, 'evals', 'presets', 'tiny.args'), preset);
    return runJob(workflow.jobs.shard, dir, {
      'matrix.shard': k,
      'strategy.job-total': matrix.length,
      'inputs.preset': 'tiny',
    });
  });
  const runs = await Promise.all([runCli(['compare', ...SWEEP, '--out', 'whole'], cwd), ...shardJobs]);
  for (const r of runs) expect(r).toMatchObject({ code: 0 });
  // download-artifact with a pattern puts each artifact in <path>/<artifact name>/.
  const upload = step(workflow.jobs.shard, 'upload-artifact');
  const download = step(workflow.jobs.merge, 'download-artifact');
  const pattern = new RegExp(`^${download.with!.pattern.replace('*', '.*')}$`);
  fakeCheckout(path.join(cwd, RUNNER));
  for (const k of matrix) {
    const values = { 'matrix.shard': k };
    const name = substitute(upload.with!.name, values);
    expect(name).toMatch(pattern);
    fs.cpSync(
      path.join(cwd, `runner-${k}`, substitute(upload.with!.path, values)),
      path.join(cwd, RUNNER, download.with!.path, name),
      { recursive: true },
    );
  }
  mergeJob = await runJob(workflow.jobs.merge, path.join(cwd, RUNNER), { 'inputs.preset': 'tiny' });
  whole = read('whole');
  merged = read(MERGED);
}, 300_000);

describe('the workflow: four shards merged equal the whole sweep', () => {
  test('a matrix of four shards, each uploaded; the merge job needs them all', () => {
    expect(matrix).toEqual([1, 2, 3, 4]);
    expect(workflow.jobs.shard.strategy!['fail-fast']).toBe(false);
    expect(workflow.jobs.merge.needs).toBe('shard');
    expect(step(workflow.jobs.shard, 'upload-artifact').if).toBe('always()');
  });

  test("each shard ran only its share, every model's lengths ascending", () => {
    for (const [i, dir] of SHARDS.entries()) {
      const shard = read(dir);
      expect(shard.shard).toEqual({ index: i + 1, count: 4 });
      expect(shard.run_id).toMatch(new RegExp(`-shard-${i + 1}-of-4$`));
      expect(shard.cases.map(caseKey)).toEqual(shardCases(shard.sweep, shard.config, shard.shard).map(plannedCaseKey));
      expect(shard.cases.length).toBeGreaterThan(0);
    }
  });

  test('the merge job merged and analysed, with no warning (the shards ran on this one machine)', () => {
    expect(mergeJob.code).toBe(0);
    expect(mergeJob.stderr).not.toMatch(/^bsbr: warning/m);
    expect(fs.existsSync(path.join(cwd, MERGED, 'report.html'))).toBe(true);
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

  test("results.csv: the whole run's rows, case for case", () => {
    const rows = (dir: string) =>
      fs
        .readFileSync(path.join(cwd, dir, 'results.csv'), 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => l.split(','));
    const columns = (r: string[]) => [r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[13], r[15]]; // model .. status, repeats, flops
    expect(rows(MERGED).map(columns)).toEqual(rows('whole').map(columns));
  });
});

describe('the merged run is what analyze and regress take', () => {
  test("analyze (the merge job's step) fits the same models and modes as for the whole run", () => {
    const fitted = (dir: string) =>
      fs
        .readFileSync(path.join(cwd, dir, 'fits.csv'), 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => l.split(',').slice(0, 2));
    expect(fitted(MERGED)).toEqual(fitted('whole'));
  });

  test('regress pairs every case, with the merged run as current and as baseline', async () => {
    for (const [baseline, current] of [
      ['whole', MERGED],
      [MERGED, 'whole'],
    ]) {
      const result = await runCli(
        [
          'regress',
          '--baseline',
          path.join(baseline, 'results.json'),
          '--current',
          path.join(current, 'results.json'),
          '--format',
          'json',
        ],
        cwd,
      );
      // One sample per case: its noise is unknown, so every case is inconclusive (exit 3), never bad input.
      expect(result.code).toBe(3);
      const report = JSON.parse(result.stdout) as {
        outcome: string;
        cases: Array<{ model: string; mode: string; seq_len: number; change: number | null }>;
      };
      expect(report.outcome).toBe('inconclusive');
      expect(report.cases.map(caseKey)).toEqual(whole.cases.map(caseKey));
      expect(report.cases.every((c) => c.change !== null)).toBe(true);
    }
  });
});

describe('the Slurm array script', () => {
  const slurm = path.join(cwd, 'slurm');
  const task = (id: number) => ({
    SLURM_SUBMIT_DIR: packageRoot(),
    SLURM_ARRAY_TASK_ID: String(id),
    SLURM_ARRAY_TASK_MIN: '0',
    SLURM_ARRAY_TASK_STEP: '1',
    SLURM_ARRAY_TASK_COUNT: '2',
  });
  const script = path.join(packageRoot(), 'evals', 'slurm_shards.sbatch');
  const runTask = (id: number) =>
    collect(
      spawn('bash', [script, slurm, ...SWEEP], {
        cwd,
        env: { ...process.env, ...task(id) },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );

  test('two array tasks give shards 1/2 and 2/2 from SLURM_ARRAY_TASK_ID; merged, they equal the whole run; a requeued task resumes', async () => {
    const tasks = await Promise.all([0, 1].map(runTask));
    for (const t of tasks) expect(t).toMatchObject({ code: 0 });
    expect([0, 1].map((id) => read(path.join('slurm', `task-${id}`)).shard)).toEqual([
      { index: 1, count: 2 },
      { index: 2, count: 2 },
    ]);
    const result = await runCli(
      ['merge', 'slurm/task-0', 'slurm/task-1', '--out', 'slurm/merged', '--format', 'json'],
      cwd,
    );
    expect(result.code).toBe(0);
    expect(read('slurm/merged').cases.map(identity)).toEqual(whole.cases.map(identity));
    // stdout: a record per merged shard, with the cases it gave.
    expect(JSON.parse(result.stdout)).toEqual(
      [0, 1].map((id) => {
        const task = read(path.join('slurm', `task-${id}`));
        return { shard: `${id + 1}/2`, cases: task.cases.length, backend: 'wasm', run_id: task.run_id };
      }),
    );
    const before = fs.readFileSync(path.join(slurm, 'task-1', 'results.json'), 'utf8');
    const requeued = await runTask(1);
    expect(requeued.code).toBe(0);
    expect(requeued.stderr.split('\n')[0]).toBe(`0 of ${read('slurm/task-1').cases.length} cases to run`);
    expect(fs.readFileSync(path.join(slurm, 'task-1', 'results.json'), 'utf8')).toBe(before);
  }, 180_000);
});

describe('bad merges: exit 2, one line, nothing written', () => {
  test('a missing shard', async () => {
    expectRefusal(
      await runCli(['merge', SHARDS[0], SHARDS[1], SHARDS[3], '--out', 'bad'], cwd),
      /shard 3\/4 is missing \(give every shard's folder, or --allow-partial/,
    );
    expect(fs.existsSync(path.join(cwd, 'bad'))).toBe(false);
  });

  test('a shard given twice', async () => {
    expectRefusal(
      await runCli(['merge', ...SHARDS, SHARDS[1], '--out', 'bad'], cwd),
      /shard 2\/4 is given twice: .*shard-2 and .*shard-2$/m,
    );
    expect(fs.existsSync(path.join(cwd, 'bad'))).toBe(false);
  });

  test('shards of another sweep, a run that is not a shard, and a folder without results', async () => {
    expectRefusal(
      await runCli(['merge', ...SHARDS.slice(0, 2), 'slurm/task-1', '--out', 'bad'], cwd),
      /shard-1 and slurm\/task-1 are shards of different sweeps: the shard count is 4 in one and 2 in the other/,
    );
    expectRefusal(
      await runCli(['merge', ...SHARDS, 'whole', '--out', 'bad'], cwd),
      /whole is not a shard run \(it is a run made without --shard\)/,
    );
    expectRefusal(
      await runCli(['merge', ...SHARDS, 'nowhere', '--out', 'bad'], cwd),
      /results file not found: nowhere\/results.json/,
    );
    expect(fs.existsSync(path.join(cwd, 'bad'))).toBe(false);
  });

  test('an --out that already holds a run', async () => {
    const before = fs.readFileSync(path.join(cwd, MERGED, 'results.json'), 'utf8');
    expectRefusal(
      await runCli(['merge', ...SHARDS, '--out', MERGED], cwd),
      /already holds a results.json \(choose another --out\)/,
    );
    expect(fs.readFileSync(path.join(cwd, MERGED, 'results.json'), 'utf8')).toBe(before);
  });

  test('--allow-partial merges what there is and warns what is missing', async () => {
    const result = await runCli(['merge', SHARDS[0], SHARDS[1], SHARDS[3], '--allow-partial', '--out', 'partial'], cwd);
    expect(result.code).toBe(0);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      'bsbr: warning: partial merge: shard 3/4 is missing',
      `merged 3 shards, ${CASES - read(SHARDS[2]).cases.length} cases: partial/results.json and partial/results.csv`,
    ]);
    expect(readTextTable(result.stdout, 'shard').map((r) => r.shard)).toEqual(['1/4', '2/4', '4/4']);
    // --quiet keeps the warning and drops the notice.
    const quiet = await runCli(
      ['merge', SHARDS[0], SHARDS[1], SHARDS[3], '--allow-partial', '--quiet', '--out', 'partial-quiet'],
      cwd,
    );
    expect(quiet.stderr).toBe('bsbr: warning: partial merge: shard 3/4 is missing\n');
    expect(read('partial').cases.length).toBe(CASES - read(SHARDS[2]).cases.length);
  });
});

describe('a shard is an ordinary run folder', () => {
  test('an unfinished shard is refused by merge, resumed with its own share, then merged', async () => {
    const shard = read(SHARDS[1]);
    fs.mkdirSync(path.join(cwd, 'unfinished'));
    fs.writeFileSync(
      path.join(cwd, 'unfinished', 'results.json'),
      JSON.stringify({ ...shard, cases: shard.cases.slice(0, 1) }),
    );
    const lacking = shard.cases.length - 1;
    const others = [SHARDS[0], 'unfinished', SHARDS[2], SHARDS[3]];
    expectRefusal(
      await runCli(['merge', ...others, '--out', 'bad'], cwd),
      new RegExp(
        `shard 2/4 in unfinished lacks ${lacking} of its cases .*: finish it with bsbr compare --resume unfinished`,
      ),
    );
    expectRefusal(
      await runCli(['compare', '--resume', 'unfinished', '--shard', '3/4'], cwd),
      /--shard 3\/4 conflicts with the run being resumed, which used 2\/4/,
    );
    const resumed = await runCli(['compare', '--resume', 'unfinished'], cwd);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr.split('\n')[0]).toBe(`${lacking} of ${shard.cases.length} cases to run`);
    expect(read('unfinished').cases.map(caseKey)).toEqual(shard.cases.map(caseKey));
    expect((await runCli(['merge', ...others, '--out', 'remerged'], cwd)).code).toBe(0);
  }, 120_000);

  test('--time-limit still skips the longer lengths after a slow one within a shard', async () => {
    const limited = ['--models', 'Linear', '--seq-lengths', '8', '16', '32', '64', '128', '--time-limit', '1e-9'];
    expect((await runCli(['compare', ...TINY_ARGS, ...limited, '--shard', '1/2', '--out', 'limited'], cwd)).code).toBe(
      0,
    );
    // Shard 1/2 holds the four shorter lengths (their work adds up to about that of n=128).
    expect(read('limited').cases.map((c) => [c.seq_len, c.status])).toEqual([
      [8, 'ok'],
      [16, 'skipped'],
      [32, 'skipped'],
      [64, 'skipped'],
    ]);
  }, 120_000);
});

test('a shard with no case (more shards than cases) exits 0 with a notice, before any work, writing nothing', async () => {
  const cwd = tempDir();
  const result = await runCli(
    ['compare', ...TINY_ARGS, '--models', 'Linear', '--seq-lengths', '8', '--shard', '3/4', '--out', 'run'],
    cwd,
  );
  expect([result.code, result.stdout, result.stderr]).toEqual([
    0,
    '',
    'shard 3/4 holds no case of this sweep (more shards than cases): nothing to run, nothing written\n',
  ]);
  expect(fs.existsSync(path.join(cwd, 'run'))).toBe(false);
});
