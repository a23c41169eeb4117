import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { exampleResults } from '../analysis/testing/synthetic';
import { FitsJson } from '../reports/fits_files';
import { loadResvg } from '../reports/render';
import { exampleDataPath } from './analyze';
import { MODEL_NAMES } from '../../models/registry';
import { readResults } from '../results/read';
import { packageRoot } from '../package_root';
import { requireFreshBuild } from './testing/built_cli';
import { CliResult, runCli } from './testing/cli';

const CHARTS = ['time', 'time_loglog', 'memory', 'params', 'slowdown', 'gflops'];
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let dir: string;
let runDir: string;
let run: CliResult;

beforeAll(async () => {
  requireFreshBuild();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsbr-analyze-'));
  runDir = path.join(dir, 'run');
  fs.mkdirSync(runDir);
  fs.writeFileSync(path.join(runDir, 'results.json'), JSON.stringify(exampleResults()));
  run = await runCli(['analyze', '--results', path.join(runDir, 'results.json')], dir);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('bsbr analyze --results (built CLI)', () => {
  it('exits 0 and writes the fits, every chart as spec and SVG, and report.html beside the results', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const name of ['fits.csv', 'fits.json', 'slowdown.csv', 'report.html', ...CHARTS.map((c) => `${c}.vl.json`)]) {
      expect(fs.statSync(path.join(runDir, name)).size).toBeGreaterThan(100);
    }
    for (const chart of CHARTS) {
      const svg = fs.readFileSync(path.join(runDir, `${chart}.svg`), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      const title = (JSON.parse(fs.readFileSync(path.join(runDir, `${chart}.vl.json`), 'utf8')) as { title: string }).title;
      expect(svg).toContain(title.replace(/'/g, '&#39;'));
      expect((svg.match(/<path/g) ?? []).length).toBeGreaterThan(5);
    }
  });

  it('writes PNGs where @resvg/resvg-js loads, and says so where it does not', () => {
    const pngs = CHARTS.map((c) => path.join(runDir, `${c}.png`));
    if (loadResvg() instanceof Error) {
      expect(pngs.some((p) => fs.existsSync(p))).toBe(false);
      expect(run.stdout).toContain('PNG not written');
    } else {
      for (const png of pngs) expect(fs.readFileSync(png).subarray(0, 8)).toEqual(PNG_SIGNATURE);
    }
  });

  it('fits.json and fits.csv hold the exponents of the synthetic data, per mode', () => {
    const fits = (JSON.parse(fs.readFileSync(path.join(runDir, 'fits.json'), 'utf8')) as FitsJson).fits;
    const fit = (model: string, mode: string) => fits.find((f) => f.model === model && f.mode === mode)!;
    expect(fit('Standard', 'forward').time!.exponent).toBeCloseTo(2, 6);
    expect(fit('Standard', 'decode').time!.exponent).toBeCloseTo(1, 6);
    expect(fit('Linear', 'decode').time!.exponent).toBeCloseTo(0, 6);
    expect(fit('GAU', 'forward').time).toBeNull();
    const csv = fs.readFileSync(path.join(runDir, 'fits.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(1 + fits.length);
    expect(csv[0].split(',').slice(0, 5)).toEqual(['mode', 'model', 'seq_lens', 'time_points', 'time_exponent']);
  });

  it('prints the fits and slowdown tables per mode and the models it could not fit', () => {
    expect(run.stdout).toContain('forward: scaling exponents');
    expect(run.stdout).toContain('decode: slowdown against the fastest model');
    expect(run.stdout).toMatch(/Standard\s*│\s*64-512 \(4\)\s*│\s*2\.00 \[2\.00, 2\.00\]/);
    expect(run.stdout).toContain('note: GAU forward: 1 ok length (a fit needs 2): no fit');
    expect(run.stdout).not.toContain('WARN');
    expect(run.stdout).toContain(`open ${path.join(runDir, 'report.html')}`);
  });
});

describe('bsbr analyze: bad input is one line on stderr, exit code 2, nothing written', () => {
  const expectUsageError = (child: CliResult, message: RegExp): void => {
    expect(child.code).toBe(2);
    expect(child.stdout).toBe('');
    expect(child.stderr.trim().split('\n')).toHaveLength(1);
    expect(child.stderr).toMatch(/^bsbr: error: /);
    expect(child.stderr).toMatch(message);
  };

  it.each([
    ['a missing file', null, /results file not found: .*nowhere\.json/],
    ['truncated JSON', (text: string) => text.slice(0, text.length / 2), /not valid JSON \(truncated or corrupted\?\)/],
    ['JSON that is not a results file', () => '{"hello": "world"}', /not a bsbr results file/],
    ['a case without its fields', (text: string) => text.replace('"seq_len"', '"length"'), /cases\[0\] has no 'seq_len'/],
    ['a thread count of 0', (text: string) => text.replace('"cpu_count"', '"threads":0,"cpu_count"'), /environment\.threads must be a positive integer or null/],
  ])('%s', async (_label, corrupt, message) => {
    const bad = path.join(dir, 'bad');
    fs.rmSync(bad, { recursive: true, force: true });
    fs.mkdirSync(bad);
    const file = path.join(bad, corrupt === null ? 'nowhere.json' : 'results.json');
    if (corrupt !== null) fs.writeFileSync(file, corrupt(JSON.stringify(exampleResults())));
    expectUsageError(await runCli(['analyze', '--results', file, '--out', path.join(bad, 'out')], dir), message);
    expect(fs.existsSync(path.join(bad, 'out'))).toBe(false);
  });

  it('neither or both of --results and --example-data', async () => {
    expectUsageError(await runCli(['analyze'], dir), /give --results <file>.* or --example-data/);
    expectUsageError(await runCli(['analyze', '--example-data', '--results', 'x.json'], dir), /not both/);
  });

  it('an --out that cannot be a folder', async () => {
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, '');
    expectUsageError(await runCli(['analyze', '--results', path.join(runDir, 'results.json'), '--out', path.join(file, 'sub')], dir), /cannot write to --out/);
  });
});

describe('bsbr analyze --example-data', () => {
  it('resolves the shipped results from the package folder, not the working directory', () => {
    expect(exampleDataPath()).toBe(path.join(packageRoot(), 'results', 'example', 'results.json'));
  });

  it('ships a real run of all seven models with its environment', () => {
    const run = readResults(exampleDataPath());
    expect(new Set(run.cases.map((c) => c.model))).toEqual(new Set(MODEL_NAMES));
    expect(run.cases.every((c) => c.status === 'ok')).toBe(true);
    expect(run.environment.backend).toBeTruthy();
    expect(run.environment.cpu_model).toBeTruthy();
    expect(run.calibration).not.toBeNull();
  });

  it('analyses the shipped run from any working directory into ./bsbr-example-analysis', async () => {
    const child = await runCli(['analyze', '--example-data'], dir);
    expect(child.stderr).toBe('');
    expect(child.code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'bsbr-example-analysis', 'report.html'))).toBe(true);
    expect(child.stdout).toContain('scaling exponents');
  });
});
