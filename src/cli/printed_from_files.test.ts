/**
 * What a downloaded file can make the terminal do: nothing. Strings from results.json and from a
 * safetensors header reach stdout and stderr with their control characters escaped (built command).
 */
import * as fs from 'fs';
import * as path from 'path';
import { run, sweep } from '../regress/testing/runs';
import { ResultsFile } from '../results/schema';
import { CliResult, runCli, tempDir } from '../testing/cli';

const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
const TITLE = '\x1b]0;pwned\x07';

function crafted(): ResultsFile {
  const results = run(sweep().filter((c) => c.model === 'BSBR'));
  results.run_id = `run${TITLE}`;
  results.environment = { ...results.environment, cpu_model: `cpu\x1b[2J`, hostname: `host\r\x1b[1A` };
  results.cases = results.cases.map((c) => ({ ...c, model: `BSBR\x1b[31m`, message: '\x1b[1Ano regressions' }));
  results.sweep = { ...results.sweep, models: ['BSBR\x1b[31m'] };
  return results;
}

const expectInert = (result: CliResult) => {
  expect(result.stdout + result.stderr).not.toMatch(CONTROL);
};

test('regress of two crafted runs prints their names escaped, in every format', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'run.json');
  fs.writeFileSync(file, JSON.stringify(crafted()));
  for (const format of ['table', 'markdown', 'csv', 'json']) {
    const result = await runCli(['regress', '--baseline', file, '--current', file, '--format', format], dir);
    expect(result.code).toBe(0);
    expectInert(result);
    expect(result.stdout).toContain(format === 'json' ? 'BSBR\\u001b[31m' : 'BSBR\\u001b[31m');
  }
  const update = await runCli(
    ['regress', '--baseline', path.join(dir, 'base.json'), '--current', file, '--update-baseline'],
    dir,
  );
  expectInert(update);
  expect(update.stderr).toContain('cpu\\u001b[2J');
});

test('weights inspect escapes tensor names; an error names a crafted path escaped', async () => {
  const dir = tempDir();
  const header = Buffer.from(JSON.stringify({ [`w${TITLE}`]: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }));
  const file = path.join(dir, 'w.safetensors');
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(header.length));
  fs.writeFileSync(file, Buffer.concat([size, header, Buffer.alloc(4)]));
  const inspect = await runCli(['weights', 'inspect', file], dir);
  expect(inspect.code).toBe(0);
  expectInert(inspect);
  expect(inspect.stdout).toContain('w\\u001b]0;pwned\\u0007');
  const missing = await runCli(['analyze', path.join(dir, `gone${TITLE}.json`)], dir);
  expect(missing.code).toBe(2);
  expectInert(missing);
});
