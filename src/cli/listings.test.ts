/** `bsbr models` and `bsbr backends` in each --format, through the built command (`npm run build` first). */
import { MODEL_NAMES } from '../../models/registry';
import { BACKEND_NAMES } from '../../models/backends/setup';
import { readTextTable } from '../testing/text_table';
import { runCli, tempDir } from '../testing/cli';

describe('bsbr models', () => {
  test("a block per architecture: its section, knobs with compare's defaults, and its costs, in 80 columns", async () => {
    const result = await runCli(['models'], tempDir());
    expect(result.code).toBe(0);
    for (const line of result.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    const text = result.stdout.replace(/\n {2,}/g, ' ');
    expect(text).toContain('BSBR (docs/architectures.md section 7) block sparse attention with block retrieval');
    expect(text).toContain('knobs: --chunk-size 32, --compression-factor 2 (library default none)');
    expect(text).toContain('forward pass: O(n^2 d), O(n^2)');
    expect(text).toContain('decode step after n tokens: O(B d + d^2 + (n/B^2) d^2) amortised, ~O(1)');
    expect(text).toContain(
      'Standard (docs/architectures.md section 1) causal softmax attention knobs: none of its own',
    );
    expect(text).toContain('with one update step (the default) and temperature 1 it computes the same as Standard');
  });

  test('--format json and csv: one record per model', async () => {
    const json = JSON.parse((await runCli(['models', '--format', 'json'], tempDir())).stdout);
    expect(json.map((m: { model: string }) => m.model)).toEqual([...MODEL_NAMES]);
    expect(json.find((m: { model: string }) => m.model === 'SlidingWindow')).toMatchObject({
      section: 2,
      knobs: '--window-size 32',
      forward: 'O(n w d), O(n)',
    });
    const csv = (await runCli(['models', '--format', 'csv'], tempDir())).stdout.trimEnd().split('\n');
    expect(csv[0]).toBe('model,section,title,knobs,forward,decode');
    expect(csv).toHaveLength(1 + MODEL_NAMES.length);
  });
});

describe('bsbr backends', () => {
  test('a table of every backend with whether it is usable and why; markdown and JSON alike', async () => {
    const table = await runCli(['backends'], tempDir());
    expect(table.code).toBe(0);
    // (A wrapped reason continues on lines with an empty first cell.)
    const rows = readTextTable(table.stdout, 'backend').filter((r) => r.backend !== '');
    expect(rows.map((r) => r.backend)).toEqual([...BACKEND_NAMES]);
    expect(rows.find((r) => r.backend === 'wasm')!.usable).toBe('yes');
    for (const line of table.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    const json = JSON.parse((await runCli(['backends', '--format', 'json'], tempDir())).stdout);
    expect(json.map((b: { name: string; usable: boolean }) => [b.name, typeof b.usable])).toEqual(
      BACKEND_NAMES.map((name) => [name, 'boolean']),
    );
    // The adapter is an object in JSON (or null), never JSON text inside JSON.
    for (const b of json as { adapter: unknown }[])
      expect(b.adapter === null || (typeof b.adapter === 'object' && !Array.isArray(b.adapter))).toBe(true);
    const markdown = (await runCli(['backends', '--format', 'markdown'], tempDir())).stdout.trimEnd().split('\n');
    expect(markdown[0]).toBe('| backend | usable | package | why |');
    expect(markdown).toHaveLength(2 + BACKEND_NAMES.length);
  });
});

describe('--help', () => {
  test('shows defaults plainly (no quotes) and marks required options', async () => {
    const regress = (await runCli(['regress', '--help'], tempDir())).stdout.replace(/\s+/g, ' ');
    expect(regress).toContain('default: table)');
    expect(regress).not.toMatch(/default: "/);
    const merge = (await runCli(['merge', '--help'], tempDir())).stdout.replace(/\s+/g, ' ');
    expect(merge).toMatch(/--out <dir> .*\(required\)/);
  });
});
