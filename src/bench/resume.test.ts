/**
 * --resume checks the run it resumes by the command line's rules: a results.json edited by hand into
 * something bsbr cannot run is refused with exit 2, and nothing is written (run `npm run build` first).
 */
import * as fs from 'fs';
import * as path from 'path';
import { runCli, startCli, tempDir, TINY_ARGS, ended, waitFor } from '../testing/cli';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Edit = (run: Record<string, any>) => void;

let interrupted: string;

/** An unfinished run: its first cases done, the others pending (as after a kill). */
beforeAll(async () => {
  const cwd = tempDir();
  const file = path.join(cwd, 'run', 'results.json');
  const child = startCli(
    ['compare', ...TINY_ARGS, '--models', 'BSBR', 'Linear', '--seq-lengths', '8', '16', '32', '64', '--out', 'run'],
    cwd,
  );
  await waitFor(
    () => fs.existsSync(file) && JSON.parse(fs.readFileSync(file, 'utf8')).cases.length >= 1,
    'a finished case',
  );
  child.kill('SIGKILL');
  await ended(child);
  interrupted = fs.readFileSync(file, 'utf8');
});

test.each<[string, Edit, RegExp]>([
  ['no models', (r) => delete r.sweep.models, /sweep\.models is missing/],
  [
    'a string where a list belongs',
    (r) => (r.sweep.seq_lengths = '8 16'),
    /sweep\.seq_lengths must be a list of: a positive integer \(got "8 16"\)/,
  ],
  ['repeats 0', (r) => (r.sweep.repeats = 0), /sweep\.repeats must be a positive integer \(got 0\)/],
  [
    'an unknown mode',
    (r) => (r.sweep.modes = ['sideways']),
    /sweep\.modes must be a list of: one of forward, decode, train \(got \["sideways"\]\)/,
  ],
  [
    'lengths as text',
    (r) => (r.sweep.seq_lengths = ['8', '16']),
    /sweep\.seq_lengths must be a list of: a positive integer/,
  ],
  [
    'a fractional length',
    (r) => (r.sweep.seq_lengths = [8, 12.5]),
    /sweep\.seq_lengths must be a list of: a positive integer \(got \[8,12\.5\]\)/,
  ],
  [
    'a negative length',
    (r) => (r.sweep.seq_lengths = [8, -16]),
    /sweep\.seq_lengths must be a list of: a positive integer/,
  ],
  ['an unknown model', (r) => (r.sweep.models = ['BSBR', 'Mamba']), /--models: unknown model 'Mamba'/],
  [
    'an invalid config',
    (r) => (r.config.numHeads = 3),
    /invalid config: numHeads must divide hiddenDim \(hiddenDim 16, numHeads 3\)/,
  ],
  [
    'a config field as text',
    (r) => (r.config.hiddenDim = '16'),
    /invalid config: hiddenDim must be an integer in \[1, 16384\] \(got "16"\)/,
  ],
  ['a config without a field', (r) => delete r.config.chunkSize, /config has no chunkSize/],
  ['an unknown backend', (r) => (r.environment.backend = 'quantum'), /the run used backend 'quantum'/],
])('%s: exit 2, one line, the file untouched and nothing else written', async (_what, edit, message) => {
  const cwd = tempDir();
  fs.mkdirSync(path.join(cwd, 'run'));
  const run = JSON.parse(interrupted);
  edit(run);
  const text = JSON.stringify(run, null, 2);
  fs.writeFileSync(path.join(cwd, 'run', 'results.json'), text);
  const result = await runCli(['compare', '--resume', 'run'], cwd);
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^bsbr: error: --resume: run\/results\.json cannot be resumed: /);
  expect(result.stderr).toMatch(message);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(fs.readdirSync(path.join(cwd, 'run'))).toEqual(['results.json']);
  expect(fs.readFileSync(path.join(cwd, 'run', 'results.json'), 'utf8')).toBe(text);
});
