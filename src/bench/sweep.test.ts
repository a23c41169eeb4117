/**
 * The sweep's handling of failing cases, limits and interruption, through the built command (run
 * `npm run build` first).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Writable } from 'stream';
import { resolveConfig } from '../../models/config';
import { syntheticResults } from '../analysis/testing/synthetic';
import { createProgress } from '../cli/progress';
import { packageRoot } from '../package_root';
import { readResults } from '../results/read';
import { CaseResult, LATER_CASE_COLUMNS, ResultsFile } from '../results/schema';
import { runSweep } from './sweep';
import { workerPids, ended, runCli, startCli, tempDir, TINY_ARGS, waitFor } from '../testing/cli';

function summary(cases: CaseResult[]): string[] {
  return cases.map((c) => `${c.model} ${c.seq_len} ${c.status}`);
}

/** A stream that keeps what is written to it (not a terminal: the progress is a line per case). */
function captured(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  return { stream, text: () => chunks.join('') };
}

test('a case that throws is recorded as error with its message; longer lengths of that model are skipped; the sweep goes on', async () => {
  const dir = tempDir();
  const results = syntheticResults([]);
  results.config = resolveConfig({
    hiddenDim: 16,
    numHeads: 2,
    ffDim: 32,
    vocabSize: 100,
    numLayers: 1,
    chunkSize: 4,
    windowSize: 4,
  });
  results.sweep = {
    ...results.sweep,
    models: ['Standard', 'BSBR'],
    seq_lengths: [8, 16],
    modes: ['forward'],
    warmup: 0,
    repeats: 1,
  };
  results.environment.threads = 1;
  const stderr = captured();
  // The failing test worker fails Standard n=8 after building its model; the case worker runs the others.
  const workerScript = path.join(packageRoot(), 'dist', 'src', 'bench', 'testing', 'failing_worker.js');
  await runSweep({
    dir,
    results,
    backend: 'wasm',
    progress: createProgress(false, stderr.stream),
    caseTimeoutS: 300,
    workerScript,
  });
  const { cases, config } = readResults(path.join(dir, 'results.json'));
  expect(summary(cases)).toEqual(['Standard 8 error', 'Standard 16 skipped', 'BSBR 8 ok', 'BSBR 16 ok']);
  const [failed, skipped] = cases;
  expect(failed.message).toBe('failure injected by the failing test worker');
  expect(failed.median_ms).toBeNull();
  expect(failed.samples_ms).toEqual([]);
  expect(failed.params).toBeGreaterThan(0);
  expect(skipped.message).toMatch(/n=8 failed, so a longer sequence is not tried/);
  expect(skipped.params).toBe(failed.params);
  expect(stderr.text()).toMatch(/\[1\/4\] Standard forward n=8: error: failure injected/);
  expect(stderr.text()).toMatch(/\[2\/4\] Standard forward n=16: skipped: not run: n=8 failed/);
  const csv = fs.readFileSync(path.join(dir, 'results.csv'), 'utf8').split('\n');
  // The spec's columns, no later (device) figures on wasm, the run's config, no knobs (Standard reads
  // none), the threads and dtype, no spread, interval or calibration (nothing was measured), the
  // worker's load averages; no warnings.
  const sizes = [
    config.hiddenDim,
    config.numHeads,
    config.hiddenDim / config.numHeads,
    config.numLayers,
    config.ffDim,
  ].join(',');
  const later = ','.repeat(LATER_CASE_COLUMNS.length + 1);
  expect(csv[1]).toMatch(
    new RegExp(
      `,Standard,forward,wasm,8,1,\\d+,error,,,,,,0,,,,,,failure injected by the failing test worker${later}${sizes},,,,\\d+,float32,,,,,[\\d.]+,[\\d.]+,$`,
    ),
  );
});

test('a case over --time-limit makes the longer lengths of that model skipped', async () => {
  const cwd = tempDir();
  const result = await runCli(
    [
      'compare',
      ...TINY_ARGS,
      '--models',
      'Linear',
      '--seq-lengths',
      '8',
      '16',
      '32',
      '--time-limit',
      '1e-9',
      '--out',
      'run',
    ],
    cwd,
  );
  expect(result.code).toBe(0);
  const { cases } = readResults(path.join(cwd, 'run', 'results.json'));
  expect(summary(cases)).toEqual(['Linear 8 ok', 'Linear 16 skipped', 'Linear 32 skipped']);
  expect(cases[0].message).toMatch(/^median .* s > --time-limit 1e-9 s; longer lengths of Linear forward are not run$/);
  for (const c of cases.slice(1)) expect(c.message).toMatch(/^not run: at n=8 the median .* > --time-limit 1e-9 s$/);
});

test('a case over --max-memory makes the longer lengths of that model skipped', async () => {
  const cwd = tempDir();
  const result = await runCli(
    ['compare', ...TINY_ARGS, '--models', 'GAU', '--seq-lengths', '8', '16', '--max-memory', '1', '--out', 'run'],
    cwd,
  );
  expect(result.code).toBe(0);
  const { cases } = readResults(path.join(cwd, 'run', 'results.json'));
  expect(summary(cases)).toEqual(['GAU 8 ok', 'GAU 16 skipped']);
  expect(cases[1].message).toMatch(/^not run: at n=8 the peak RSS \d+ MB > --max-memory 1 MB$/);
});

test('an interrupted sweep keeps its finished cases and --resume runs only the rest', async () => {
  const cwd = tempDir();
  const file = path.join(cwd, 'run', 'results.json');
  const child = startCli(
    [
      'compare',
      ...TINY_ARGS,
      '--models',
      'BSBR',
      'Standard',
      '--seq-lengths',
      '8',
      '16',
      '32',
      '64',
      '--mode',
      'forward',
      'decode',
      '--out',
      'run',
    ],
    cwd,
  );
  await waitFor(() => fs.existsSync(file) && readResults(file).cases.length >= 1, 'a finished case');
  child.kill('SIGKILL');
  await ended(child);

  const before = readResults(file);
  const total = 2 * 2 * 4;
  expect(before.cases.length).toBeGreaterThanOrEqual(1);
  expect(before.cases.length).toBeLessThan(total);

  const resumed = await runCli(['compare', '--resume', 'run'], cwd);
  expect(resumed.code).toBe(0);
  expect(resumed.stderr.split('\n')[0]).toBe(`${total - before.cases.length} of ${total} cases to run`);
  const after = readResults(file);
  expect(after.cases).toHaveLength(total);
  expect(after.cases.every((c) => c.status === 'ok' && c.run_id === before.run_id)).toBe(true);
  // The finished cases are kept as they were, raw samples included: they were not run again.
  for (const done of before.cases) {
    expect(
      after.cases.find((c) => c.model === done.model && c.mode === done.mode && c.seq_len === done.seq_len),
    ).toEqual(done);
  }
  expect(after.calibration).toEqual(before.calibration);
  expect(after.environment).toEqual(before.environment);
}, 180_000); // 16 real cases: 45 s at a load average of 9 on the 2-core machine, over 60 s at 16

test('--resume refuses options that contradict the run it resumes', async () => {
  const cwd = tempDir();
  expect(
    (await runCli(['compare', ...TINY_ARGS, '--models', 'BSBR', '--seq-lengths', '8', '--out', 'run'], cwd)).code,
  ).toBe(0);
  const json = fs.readFileSync(path.join(cwd, 'run', 'results.json'), 'utf8');
  const conflict = await runCli(['compare', '--resume', 'run', '--hidden-dim', '32'], cwd);
  expect(conflict.code).toBe(2);
  expect(conflict.stderr).toBe(
    'bsbr: error: --hidden-dim 32 conflicts with the run being resumed, which used 16 (leave --hidden-dim out to resume it)\n',
  );
  const threads = readResults(path.join(cwd, 'run', 'results.json')).environment.threads as number;
  const otherThreads = await runCli(['compare', '--resume', 'run', '--threads', String(threads + 1)], cwd);
  expect(otherThreads.stderr).toBe(
    `bsbr: error: --threads ${threads + 1} conflicts with the run being resumed, which used ${threads} (leave --threads out to resume it)\n`,
  );
  // Agreeing options are fine; a finished run has nothing left to do.
  const agreeing = await runCli(['compare', '--resume', 'run', '--hidden-dim', '16', '--models', 'bsbr'], cwd);
  expect(agreeing.code).toBe(0);
  expect(agreeing.stderr.split('\n')[0]).toBe('0 of 1 cases to run');
  expect(fs.readFileSync(path.join(cwd, 'run', 'results.json'), 'utf8')).toBe(json);
});

test('a case past --case-timeout is killed and recorded as error; a run with no ok case exits 1; --resume --retry-failed runs the failed cases again', async () => {
  const cwd = tempDir();
  // 50 ms: less than a worker takes to start, so every case runs out of time.
  const failed = await runCli(
    [
      'compare',
      ...TINY_ARGS,
      '--models',
      'BSBR',
      'Linear',
      '--seq-lengths',
      '8',
      '16',
      '--case-timeout',
      '0.05',
      '--out',
      'run',
    ],
    cwd,
  );
  expect(failed.code).toBe(1);
  expect(failed.stderr).toMatch(/^bsbr: no case was measured ok: every case failed or was skipped/m);
  const file = path.join(cwd, 'run', 'results.json');
  const before = readResults(file);
  expect(summary(before.cases)).toEqual(['BSBR 8 error', 'BSBR 16 skipped', 'Linear 8 error', 'Linear 16 skipped']);
  expect(before.cases[0].message).toBe('the worker did not finish within --case-timeout 0.05 s and was killed');

  // Without --retry-failed the run is finished: nothing to do.
  expect((await runCli(['compare', '--resume', 'run'], cwd)).stderr.split('\n')[0]).toBe('0 of 4 cases to run');
  const retried = await runCli(['compare', '--resume', 'run', '--retry-failed'], cwd);
  expect(retried.code).toBe(0);
  expect(retried.stderr.split('\n')[0]).toBe('4 of 4 cases to run');
  const after = readResults(file);
  expect(summary(after.cases)).toEqual(['BSBR 8 ok', 'BSBR 16 ok', 'Linear 8 ok', 'Linear 16 ok']);
  expect(after.calibration).toEqual(before.calibration);
});

test('a stopped worker (SIGSTOP) no longer hangs the sweep: it is killed at --case-timeout and the sweep goes on', async () => {
  const cwd = tempDir();
  const file = path.join(cwd, 'run', 'results.json');
  const child = startCli(
    [
      'compare',
      ...TINY_ARGS,
      '--models',
      'BSBR',
      'Linear',
      '--seq-lengths',
      '8',
      '--case-timeout',
      '4',
      '--out',
      'run',
    ],
    cwd,
  );
  // Once results.json exists the calibration worker is gone: the next child is the first case's worker.
  await waitFor(() => fs.existsSync(file) && workerPids(child.pid!).length > 0, 'the first case worker');
  process.kill(workerPids(child.pid!)[0], 'SIGSTOP');
  expect(await ended(child)).toEqual({ code: 0, signal: null });
  const { cases } = readResults(file);
  expect(summary(cases)).toEqual(['BSBR 8 error', 'Linear 8 ok']);
  expect(cases[0].message).toBe('the worker did not finish within --case-timeout 4 s and was killed');
});

test('a calibration worker that dies: one line, exit 1, no stack trace, nothing written', async () => {
  const cwd = tempDir();
  const child = startCli(['compare', ...TINY_ARGS, '--models', 'BSBR', '--seq-lengths', '8', '--out', 'run'], cwd);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await waitFor(() => workerPids(child.pid!).length > 0, 'the calibration worker');
  process.kill(workerPids(child.pid!)[0], 'SIGKILL');
  expect((await ended(child)).code).toBe(1);
  expect(stderr).toBe(
    'bsbr: error: the calibration matmul failed: the worker process was killed by SIGKILL (out of memory?) without a result\n',
  );
  expect(fs.readdirSync(cwd)).toEqual([]);
});

test('a closed stdout (bsbr compare | head -1) does not stop the sweep: every case is measured and written', async () => {
  const cwd = tempDir();
  const child = startCli(
    ['compare', ...TINY_ARGS, '--models', 'BSBR', 'Linear', '--seq-lengths', '8', '16', '--out', 'run'],
    cwd,
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // What head -1 does: read the first line, then close the pipe.
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  child.stdout!.destroy();
  expect(await ended(child)).toEqual({ code: 0, signal: null });
  expect(stderr).not.toMatch(/EPIPE|Error/);
  expect(summary(readResults(path.join(cwd, 'run', 'results.json')).cases)).toEqual([
    'BSBR 8 ok',
    'BSBR 16 ok',
    'Linear 8 ok',
    'Linear 16 ok',
  ]);
  expect(fs.existsSync(path.join(cwd, 'run', 'report.html'))).toBe(true);
});

test('SIGTERM (a job engine stopping the job): exit 143, the finished cases kept, how to resume, the folder given back', async () => {
  const cwd = tempDir();
  const file = path.join(cwd, 'run', 'results.json');
  const child = startCli(
    ['compare', ...TINY_ARGS, '--models', 'BSBR', 'Linear', '--seq-lengths', '8', '16', '32', '--out', 'run'],
    cwd,
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await waitFor(() => fs.existsSync(file) && readResults(file).cases.length >= 1, 'a finished case');
  child.kill('SIGTERM');
  expect(await ended(child)).toEqual({ code: 143, signal: null });
  const kept = readResults(file).cases.length;
  expect(stderr).toMatch(
    new RegExp(
      `^bsbr: interrupted by SIGTERM: the ${kept} finished cases are kept in run/results.json; finish the run with: bsbr compare --resume run$`,
      'm',
    ),
  );
  expect(fs.readdirSync(path.join(cwd, 'run')).sort()).toEqual(['results.csv', 'results.json']);
  expect((await runCli(['compare', '--resume', 'run'], cwd)).code).toBe(0);
  expect(readResults(file).cases).toHaveLength(6);
});

describe('--resume runs the cases on the threads the run recorded', () => {
  /** A finished one-case wasm run whose results.json is then edited by `edit`, and its case dropped, so that resuming runs it again. */
  async function resumeEdited(edit: (results: ResultsFile) => void, code: number): Promise<CaseResult> {
    const cwd = tempDir();
    expect(
      (
        await runCli(
          ['compare', ...TINY_ARGS, '--backend', 'wasm', '--models', 'BSBR', '--seq-lengths', '8', '--out', 'run'],
          cwd,
        )
      ).code,
    ).toBe(0);
    const file = path.join(cwd, 'run', 'results.json');
    const results = readResults(file);
    edit(results);
    fs.writeFileSync(file, JSON.stringify({ ...results, cases: [] }));
    expect((await runCli(['compare', '--resume', 'run'], cwd)).code).toBe(code);
    return readResults(file).cases[0];
  }

  test('a run from before threads were recorded ran on one, so its cases do', async () => {
    const row = await resumeEdited((results) => delete results.environment.threads, 0);
    expect(row).toMatchObject({ status: 'ok', message: '' });
  });

  test("a case that cannot get the run's threads is an error, not a timing on other threads", async () => {
    // Its only case is not ok, so the run exits 1.
    const row = await resumeEdited((results) => {
      results.environment.threads = 12;
      results.sweep.threads = 12;
    }, 1);
    expect(row.status).toBe('error');
    expect(row.message).toBe(
      'ran on 8 threads, not the 12 asked for (backend: using wasm; wasm: 8 threads, not 12 (the threaded build uses at most 8))',
    );
  });

  test('under the default rule a small case runs on one thread, and records it with a calibration of its own', async () => {
    const row = await resumeEdited((results) => (results.environment.threads = 12), 0);
    expect(row).toMatchObject({ status: 'ok', threads: 1 });
    expect(row.calibration_samples_ms).toHaveLength(5);
    expect(row.calibration_ms).toBeGreaterThan(0);
  });
});
