/**
 * Crafted results files against analyze and regress (built command): each is analysed or refused in
 * one line, never a stack trace; regress's exit 1 means a regression, never a crash.
 */
import * as fs from 'fs';
import * as path from 'path';
import { syntheticCase, syntheticResults } from '../analysis/testing/synthetic';
import { run, sweep } from '../regress/testing/runs';
import { ResultsFile } from '../results/schema';
import { CliResult, runCli, tempDir } from '../testing/cli';

let dir: string;
beforeAll(() => {
  dir = tempDir();
});

function write(name: string, content: ResultsFile | string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const noStack = (result: CliResult) => expect(result.stderr).not.toMatch(/\n\s+at /);

test('deep nesting in a checked field is refused in one line (JSON.stringify overflowed)', async () => {
  const text = JSON.stringify(run(sweep())).replace(
    '"batch_size":1',
    `"batch_size":${'['.repeat(20_000)}${']'.repeat(20_000)}`,
  );
  const file = write('deep.json', text);
  for (const args of [
    ['analyze', file, '--out', path.join(dir, 'deep-out')],
    ['regress', '--baseline', file, '--current', file],
  ]) {
    const result = await runCli(args, dir);
    noStack(result);
    expect([result.code, result.stderr]).toEqual([2, `bsbr: error: ${file}: nested more than 32 levels deep\n`]);
  }
});

test('a model named like an Object.prototype member is refused in one line; one with control characters is analysed', async () => {
  for (const model of ['valueOf', 'constructor', 'toString']) {
    const file = write(`${model}.json`, syntheticResults([syntheticCase({ model, seq_len: 64 })]));
    const result = await runCli(['analyze', file, '--out', path.join(dir, `${model}-out`)], dir);
    noStack(result);
    expect([result.code, result.stderr]).toEqual([
      2,
      `bsbr: error: ${file}: sweep.models must be a list of: a non-empty string, not a member of every object (valueOf, constructor, ...) (got ["${model}"])\n`,
    ]);
  }
  const cases = ['a\x1b[2Jb'].flatMap((model) =>
    [64, 128].map((seq_len) => syntheticCase({ model, seq_len, median_ms: seq_len / 64 })),
  );
  const file = write('names.json', syntheticResults(cases));
  const result = await runCli(['analyze', file, '--out', path.join(dir, 'names-out')], dir);
  noStack(result);
  expect(result.code).toBe(0);
  expect(fs.existsSync(path.join(dir, 'names-out', 'report.html'))).toBe(true);
});

test("a JSON error names the place, not the file's first characters", async () => {
  const file = write('secret.txt', 'password=hunter2');
  const result = await runCli(['regress', '--baseline', file, '--current', file], dir);
  expect(result.code).toBe(2);
  expect(result.stderr).not.toMatch(/hunter2/);
  expect(result.stderr).toBe(`bsbr: error: ${file} is not valid JSON (truncated or corrupted?)\n`);
});
