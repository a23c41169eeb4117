/** How main turns errors into exit codes: every InputError is one line and exit 2. */
import * as fs from 'fs';
import * as path from 'path';
import { InputError } from '../../models/errors';
import { UsageError } from '../options/usage_error';
import { ResultsFileError } from '../results/read';
import { tempDir } from '../testing/cli';
import { SafetensorsError } from '../weights/safetensors';
import * as compareRuns from '../regress/compare_runs';
import { run as runOf, sweep } from '../regress/testing/runs';
import { main } from './main';

/** Runs main in this process, returning its exit code and what it wrote to stderr. */
async function run(...argv: string[]): Promise<{ code: number; stderr: string[] }> {
  const stderr: string[] = [];
  const error = jest.spyOn(console, 'error').mockImplementation((line: string) => void stderr.push(line));
  const write = jest
    .spyOn(process.stderr, 'write')
    .mockImplementation((chunk: string | Uint8Array) => (stderr.push(String(chunk)), true));
  try {
    return { code: await main(argv), stderr };
  } finally {
    error.mockRestore();
    write.mockRestore();
  }
}

test('the user-input errors share one base class that names the field', () => {
  for (const err of [
    new UsageError('--out', 'm'),
    new ResultsFileError('run/results.json', 'm'),
    new SafetensorsError('w.safetensors', 'm'),
  ]) {
    expect(err).toBeInstanceOf(InputError);
    expect(err.name).toBe(err.constructor.name);
  }
  expect(new ResultsFileError('run/results.json', 'm').field).toBe('run/results.json');
});

test.each([
  [
    'a results file',
    ['analyze', '--results', 'missing.json'],
    /^bsbr: error: results file not found: .*missing\.json\n?$/,
  ],
  [
    'a safetensors file',
    ['weights', 'inspect', 'empty.safetensors'],
    /^bsbr: error: .*empty\.safetensors: not a valid safetensors file/,
  ],
  [
    'an option',
    ['regress', '--current', 'x.json', '--threshold', 'lots'],
    /^bsbr: error: --threshold: 'lots' is not a percentage/,
  ],
])('%s that cannot be used: exit 2 and one line', async (_what, argv, message) => {
  const cwd = process.cwd();
  process.chdir(tempDir());
  try {
    fs.writeFileSync(path.join(process.cwd(), 'empty.safetensors'), '');
    const { code, stderr } = await run(...argv);
    expect(code).toBe(2);
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(message);
  } finally {
    process.chdir(cwd);
  }
});

test("commander's own errors carry the bsbr: error: prefix and exit 2", async () => {
  const { code, stderr } = await run('regress', '--no-such-option');
  expect(code).toBe(2);
  expect(stderr.join('')).toBe("bsbr: error: unknown option '--no-such-option'\n");
});

test('an error bsbr did not expect is one line and exit 70, never exit 1 (a regression to regress)', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'run.json');
  fs.writeFileSync(file, JSON.stringify(runOf(sweep())));
  const bug = jest.spyOn(compareRuns, 'compareRuns').mockImplementation(() => {
    throw new TypeError("Cannot read properties of undefined (reading 'median_ms')");
  });
  try {
    const { code, stderr } = await run('regress', '--baseline', file, '--current', file);
    expect(code).toBe(70);
    expect(stderr.join('')).toBe(
      "bsbr: internal error: TypeError: Cannot read properties of undefined (reading 'median_ms') (a bug in bsbr: please report it with the command that gave it)",
    );
  } finally {
    bug.mockRestore();
  }
});

test('--threshold takes any decimal form of a percentage (1e-320 was "not a percentage") within [0, 1000]', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'run.json');
  fs.writeFileSync(file, JSON.stringify(runOf(sweep())));
  const tiny = await run('regress', '--baseline', file, '--current', file, '--threshold', '1e-320', '--format', 'json');
  expect(tiny.stderr.join('')).not.toMatch(/not a percentage/);
  expect(tiny.code).not.toBe(2);
  const huge = await run('regress', '--baseline', file, '--current', file, '--threshold', '1e9');
  expect([huge.code, huge.stderr.join('')]).toEqual([
    2,
    "bsbr: error: --threshold: '1e9' is not a percentage in [0, 1000]",
  ]);
});
