/** One writer per run folder, through the built command (run `npm run build` first). */
import * as fs from 'fs';
import * as path from 'path';
import { readResults } from '../results/read';
import { ended, runCli, startCli, tempDir, TINY_ARGS, waitFor } from '../testing/cli';
import { LOCK_FILE } from './run_folder';

const SWEEP = [...TINY_ARGS, '--models', 'BSBR', 'Linear', '--seq-lengths', '8', '16'];

test('two runs with the same --out started together: one runs, the other is refused with exit 2 before any work', async () => {
  const cwd = tempDir();
  const [a, b] = await Promise.all([
    runCli(['compare', ...SWEEP, '--out', 'run'], cwd),
    runCli(['compare', ...SWEEP, '--out', 'run'], cwd),
  ]);
  const [winner, loser] = a.code === 0 ? [a, b] : [b, a];
  expect([winner.code, loser.code]).toEqual([0, 2]);
  expect(loser.stdout).toBe('');
  expect(loser.stderr).toMatch(
    /^bsbr: error: --out: 'run' is in use by another bsbr compare \(process \d+ on .*\); wait for it to end/,
  );
  const run = readResults(path.join(cwd, 'run', 'results.json'));
  expect(run.cases.map((c) => c.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
  expect(fs.existsSync(path.join(cwd, 'run', LOCK_FILE))).toBe(false);
});

test('two runs without --out started in the same second get a folder each', async () => {
  const cwd = tempDir();
  const results = await Promise.all([runCli(['compare', ...SWEEP], cwd), runCli(['compare', ...SWEEP], cwd)]);
  expect(results.map((r) => r.code)).toEqual([0, 0]);
  const folders = fs.readdirSync(path.join(cwd, 'results'));
  expect(folders).toHaveLength(2);
  const runs = folders.map((f) => readResults(path.join(cwd, 'results', f, 'results.json')));
  expect(runs.map((r) => r.run_id).sort()).toEqual([...folders].sort());
  for (const run of runs) expect(run.cases).toHaveLength(4);
});

test('--resume of a run that is still being written is refused, and the running sweep is not disturbed', async () => {
  const cwd = tempDir();
  const file = path.join(cwd, 'run', 'results.json');
  const child = startCli(['compare', ...SWEEP, '--out', 'run'], cwd);
  await waitFor(() => fs.existsSync(file), 'the run to start');
  const second = await runCli(['compare', '--resume', 'run'], cwd);
  expect(second.code).toBe(2);
  expect(second.stderr).toMatch(/^bsbr: error: --resume: 'run' is in use by another bsbr compare \(process \d+ /);
  expect(await ended(child)).toEqual({ code: 0, signal: null });
  const { cases } = readResults(file);
  expect(cases).toHaveLength(4);
  // Each case measured once: every row from the first run's single worker per case.
  expect(new Set(cases.map((c) => `${c.model} ${c.seq_len}`)).size).toBe(4);
});

test("an --out holding a user's own files and no results.json is refused, not overwritten", async () => {
  const cwd = tempDir();
  fs.mkdirSync(path.join(cwd, 'mine'));
  fs.writeFileSync(path.join(cwd, 'mine', 'report.html'), 'my report');
  const result = await runCli(['compare', ...SWEEP, '--out', 'mine'], cwd);
  expect(result.code).toBe(2);
  expect(result.stderr).toBe(
    "bsbr: error: --out: 'mine' is not empty (it holds report.html); a new run needs a new or empty folder\n",
  );
  expect(fs.readdirSync(path.join(cwd, 'mine'))).toEqual(['report.html']);
  expect(fs.readFileSync(path.join(cwd, 'mine', 'report.html'), 'utf8')).toBe('my report');
});

test('an --out under /proc fails at once with exit 2', async () => {
  const result = await runCli(['compare', ...SWEEP, '--out', '/proc/bsbr/run'], tempDir());
  expect(result.code).toBe(2);
  expect(result.stderr).toBe(
    "bsbr: error: --out: cannot write to '/proc/bsbr/run': cannot create the folder /proc/bsbr/run: no such file or directory (ENOENT)\n",
  );
});
