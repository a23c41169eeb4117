/**
 * The sweep's handling of failing cases, limits and interruption, through the built command (run
 * `npm run build` first).
 */
import * as fs from 'fs';
import * as path from 'path';
import { readResults } from '../results/read';
import { CaseResult, ResultsFile } from '../results/schema';
import { runCli, startCli, tempDir, TINY_ARGS } from '../cli/testing/cli';

function summary(cases: CaseResult[]): string[] {
  return cases.map((c) => `${c.model} ${c.seq_len} ${c.status}`);
}

test('a case that throws is recorded as error with its message; longer lengths of that model are skipped; the sweep goes on', async () => {
  const cwd = tempDir();
  const result = await runCli(
    ['compare', ...TINY_ARGS, '--models', 'Standard', 'BSBR', '--seq-lengths', '8', '16', '--out', 'run'],
    cwd,
    { BSBR_TEST_FAIL_CASE: 'Standard:8' },
  );
  expect(result.code).toBe(0);
  const { cases } = readResults(path.join(cwd, 'run', 'results.json'));
  expect(summary(cases)).toEqual(['Standard 8 error', 'Standard 16 skipped', 'BSBR 8 ok', 'BSBR 16 ok']);
  const [failed, skipped] = cases;
  expect(failed.message).toBe('failure injected by BSBR_TEST_FAIL_CASE=Standard:8');
  expect(failed.median_ms).toBeNull();
  expect(failed.samples_ms).toEqual([]);
  expect(failed.params).toBeGreaterThan(0);
  expect(skipped.message).toMatch(/n=8 failed, so a longer sequence is not tried/);
  expect(skipped.params).toBe(failed.params);
  expect(result.stdout).toMatch(/\[1\/4\] Standard forward n=8: error: failure injected/);
  expect(result.stdout).toMatch(/\[2\/4\] Standard forward n=16: skipped: not run: n=8 failed/);
  const csv = fs.readFileSync(path.join(cwd, 'run', 'results.csv'), 'utf8').split('\n');
  expect(csv[1]).toMatch(/,Standard,forward,wasm,8,1,\d+,error,,,,,,0,,,,,,failure injected by BSBR_TEST_FAIL_CASE=Standard:8$/);
});

test('a case over --time-limit makes the longer lengths of that model skipped', async () => {
  const cwd = tempDir();
  const result = await runCli(['compare', ...TINY_ARGS, '--models', 'Linear', '--seq-lengths', '8', '16', '32', '--time-limit', '1e-9', '--out', 'run'], cwd);
  expect(result.code).toBe(0);
  const { cases } = readResults(path.join(cwd, 'run', 'results.json'));
  expect(summary(cases)).toEqual(['Linear 8 ok', 'Linear 16 skipped', 'Linear 32 skipped']);
  expect(cases[0].message).toMatch(/^median .* s > --time-limit 1e-9 s; longer lengths of Linear forward are not run$/);
  for (const c of cases.slice(1)) expect(c.message).toMatch(/^not run: at n=8 the median .* > --time-limit 1e-9 s$/);
});

test('a case over --max-memory makes the longer lengths of that model skipped', async () => {
  const cwd = tempDir();
  const result = await runCli(['compare', ...TINY_ARGS, '--models', 'GAU', '--seq-lengths', '8', '16', '--max-memory', '1', '--out', 'run'], cwd);
  expect(result.code).toBe(0);
  const { cases } = readResults(path.join(cwd, 'run', 'results.json'));
  expect(summary(cases)).toEqual(['GAU 8 ok', 'GAU 16 skipped']);
  expect(cases[1].message).toMatch(/^not run: at n=8 the peak RSS \d+ MB > --max-memory 1 MB$/);
});

/** Polls until `check` holds or the process ends. */
async function waitFor(check: () => boolean, ended: () => boolean): Promise<void> {
  while (!check() && !ended()) await new Promise((resolve) => setTimeout(resolve, 10));
}

test('an interrupted sweep keeps its finished cases and --resume runs only the rest', async () => {
  const cwd = tempDir();
  const file = path.join(cwd, 'run', 'results.json');
  const child = startCli(['compare', ...TINY_ARGS, '--models', 'BSBR', 'Standard', '--seq-lengths', '8', '16', '32', '64', '--mode', 'forward', 'decode', '--out', 'run'], cwd);
  let ended = false;
  child.on('exit', () => (ended = true));
  await waitFor(() => fs.existsSync(file) && readResults(file).cases.length >= 1, () => ended);
  child.kill('SIGKILL');
  await new Promise((resolve) => child.on('close', resolve));

  const before = readResults(file);
  const total = 2 * 2 * 4;
  expect(before.cases.length).toBeGreaterThanOrEqual(1);
  expect(before.cases.length).toBeLessThan(total);

  const resumed = await runCli(['compare', '--resume', 'run'], cwd);
  expect(resumed.code).toBe(0);
  expect(resumed.stdout.split('\n')[0]).toBe(`${total - before.cases.length} of ${total} cases to run`);
  const after = readResults(file);
  expect(after.cases).toHaveLength(total);
  expect(after.cases.every((c) => c.status === 'ok' && c.run_id === before.run_id)).toBe(true);
  // The finished cases are kept as they were, raw samples included: they were not run again.
  for (const done of before.cases) {
    expect(after.cases.find((c) => c.model === done.model && c.mode === done.mode && c.seq_len === done.seq_len)).toEqual(done);
  }
  expect(after.calibration).toEqual(before.calibration);
  expect(after.environment).toEqual(before.environment);
});

test('--resume refuses options that contradict the run it resumes', async () => {
  const cwd = tempDir();
  expect((await runCli(['compare', ...TINY_ARGS, '--models', 'BSBR', '--seq-lengths', '8', '--out', 'run'], cwd)).code).toBe(0);
  const json = fs.readFileSync(path.join(cwd, 'run', 'results.json'), 'utf8');
  const conflict = await runCli(['compare', '--resume', 'run', '--hidden-dim', '32'], cwd);
  expect(conflict.code).toBe(2);
  expect(conflict.stderr).toBe('bsbr: error: --hidden-dim 32 conflicts with the run being resumed, which used 16 (leave --hidden-dim out to resume it)\n');
  const threads = readResults(path.join(cwd, 'run', 'results.json')).environment.threads as number;
  const otherThreads = await runCli(['compare', '--resume', 'run', '--threads', String(threads + 1)], cwd);
  expect(otherThreads.stderr).toBe(`bsbr: error: --threads ${threads + 1} conflicts with the run being resumed, which used ${threads} (leave --threads out to resume it)\n`);
  // Agreeing options are fine; a finished run has nothing left to do.
  const agreeing = await runCli(['compare', '--resume', 'run', '--hidden-dim', '16', '--models', 'bsbr'], cwd);
  expect(agreeing.code).toBe(0);
  expect(agreeing.stdout.split('\n')[0]).toBe('0 of 1 cases to run');
  expect(fs.readFileSync(path.join(cwd, 'run', 'results.json'), 'utf8')).toBe(json);
});

describe('--resume runs the cases on the threads the run recorded', () => {
  /** A finished one-case wasm run whose results.json is then edited by `edit`, and its case dropped, so that resuming runs it again. */
  async function resumeEdited(edit: (results: ResultsFile) => void): Promise<CaseResult> {
    const cwd = tempDir();
    expect((await runCli(['compare', ...TINY_ARGS, '--backend', 'wasm', '--models', 'BSBR', '--seq-lengths', '8', '--out', 'run'], cwd)).code).toBe(0);
    const file = path.join(cwd, 'run', 'results.json');
    const results = readResults(file);
    edit(results);
    fs.writeFileSync(file, JSON.stringify({ ...results, cases: [] }));
    expect((await runCli(['compare', '--resume', 'run'], cwd)).code).toBe(0);
    return readResults(file).cases[0];
  }

  test('a run from before threads were recorded ran on one, so its cases do', async () => {
    const row = await resumeEdited((results) => delete results.environment.threads);
    expect(row).toMatchObject({ status: 'ok', message: '' });
  });

  test('a case that cannot get the run\'s threads is an error, not a timing on other threads', async () => {
    const row = await resumeEdited((results) => (results.environment.threads = 12));
    expect(row.status).toBe('error');
    expect(row.message).toBe('ran on 8 threads, not the run\'s 12 (backend: using wasm; wasm: 8 threads, not 12 (the threaded build uses at most 8))');
  });
});
