import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { exampleResults } from '../analysis/testing/synthetic';
import { FitsJson } from '../reports/fits_files';
import { loadResvg } from '../reports/render';
import { exampleDataPath } from './analyze';
import { MODEL_NAMES } from '../../models/registry';
import { readResults } from '../results/read';
import { readRecallResults } from '../results/recall_read';
import { packageRoot } from '../package_root';
import { requireFreshBuild } from '../testing/built_cli';
import { CliResult, runCli } from '../testing/cli';
import { useSmallDisk } from '../testing/full_disk';
import { readTextTable } from '../testing/text_table';

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
  // A run folder names its results.json.
  run = await runCli(['analyze', runDir, '--out', runDir], dir);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('bsbr analyze without --out: stdout only', () => {
  it('prints the summary and writes nothing; with no argument it takes the newest run under ./results', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'bsbr-analyze-latest-'));
    try {
      for (const [name, age] of [
        ['old', 100],
        ['new', 0],
      ] as const) {
        fs.mkdirSync(path.join(cwd, 'results', name), { recursive: true });
        const file = path.join(cwd, 'results', name, 'results.json');
        fs.writeFileSync(file, JSON.stringify({ ...exampleResults(), run_id: `run-${name}` }));
        const when = new Date(Date.now() - age * 1000);
        fs.utimesSync(file, when, when);
      }
      const latest = await runCli(['analyze'], cwd);
      expect(latest.code).toBe(0);
      expect(latest.stdout).toMatch(/^run run-new: /);
      expect(latest.stderr).toMatch(/^no files written: --out DIR writes the charts, fits and report\.html/m);
      expect(fs.readdirSync(path.join(cwd, 'results', 'new'))).toEqual(['results.json']);
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe('bsbr analyze --results (built CLI)', () => {
  it('exits 0 and writes the fits, every chart as spec and SVG, and report.html beside the results', () => {
    expect(run.stderr.trimEnd().split('\n').pop()).toBe(
      `wrote ${run.stderr.match(/wrote (\d+) files/)![1]} files to ${runDir}; open ${path.join(runDir, 'report.html')}`,
    );
    expect(run.code).toBe(0);
    for (const name of ['fits.csv', 'fits.json', 'slowdown.csv', 'report.html', ...CHARTS.map((c) => `${c}.vl.json`)]) {
      expect(fs.statSync(path.join(runDir, name)).size).toBeGreaterThan(100);
    }
    for (const chart of CHARTS) {
      const svg = fs.readFileSync(path.join(runDir, `${chart}.svg`), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      const title = (JSON.parse(fs.readFileSync(path.join(runDir, `${chart}.vl.json`), 'utf8')) as { title: string })
        .title;
      expect(svg).toContain(title.replace(/'/g, '&#39;'));
      expect((svg.match(/<path/g) ?? []).length).toBeGreaterThan(5);
    }
  });

  it('writes PNGs where @resvg/resvg-js loads, and says so where it does not', () => {
    const pngs = CHARTS.map((c) => path.join(runDir, `${c}.png`));
    if (loadResvg() instanceof Error) {
      expect(pngs.some((p) => fs.existsSync(p))).toBe(false);
      expect(run.stderr).toContain('PNG not written');
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
    expect(csv[0].split(',').slice(-5)).toEqual([
      'time_const_exponent',
      'time_const_ci95_low',
      'time_const_ci95_high',
      'time_const_ms',
      'warnings',
    ]);
  });

  it('prints per mode the cases, the time and memory fits and the slowdowns, in 80 columns, with the models it could not fit', () => {
    for (const line of run.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    for (const title of [
      'forward cases:',
      'forward time fits:',
      'forward memory fits:',
      'decode cases:',
      'decode slowdown against the fastest model',
    ]) {
      expect(run.stdout).toContain(title);
    }
    const timeFits = readTextTable(run.stdout.slice(run.stdout.indexOf('forward time fits:')), 'model');
    expect(timeFits.find((r) => r.model === 'Standard')).toMatchObject({
      lengths: '64-512',
      'e [95% CI]': '2.00 [2.00, 2.00]',
      theory: 'O(n^2)',
    });
    expect(run.stdout).toContain('! GAU: 1 ok length (a fit needs 2): no fit');
    expect(run.stdout).not.toContain('open ');
  });

  it('--format markdown: every table with every column (the tables of docs/performance.md)', async () => {
    const markdown = await runCli(
      ['analyze', runDir, '--format', 'markdown', '--quiet', '--out', path.join(dir, 'md')],
      dir,
    );
    expect(markdown.stderr).toBe('');
    const lines = markdown.stdout.split('\n');
    expect(lines).toContain(
      '### forward time fits: median ms ~ n^e on log-log axes; e of a + b n^e with a fixed cost a',
    );
    expect(lines).toContain(
      '| model | config | n | median ms | spread | 95% CI ms | min-max ms | repeats | tok/s | GFLOP/s | % of cal. | tensor MiB | RSS MiB | params | load | threads | ! |',
    );
    expect(lines.some((l) => /^\| Standard \|  \| 64 \| [\d.]+ \| /.test(l))).toBe(true);
  });

  it('--format csv is fits.csv; --format json holds the cases, fits and slowdowns', async () => {
    const csv = await runCli(['analyze', runDir, '--format', 'csv', '--out', path.join(dir, 'csv')], dir);
    expect(`${csv.stdout}`).toBe(fs.readFileSync(path.join(dir, 'csv', 'fits.csv'), 'utf8'));
    const json = JSON.parse(
      (await runCli(['analyze', runDir, '--format', 'json', '--out', path.join(dir, 'json')], dir)).stdout,
    );
    expect(json.fits).toEqual(
      (JSON.parse(fs.readFileSync(path.join(dir, 'json', 'fits.json'), 'utf8')) as FitsJson).fits,
    );
    expect(json.cases).toHaveLength(exampleResults().cases.length);
    expect(json.slowdown.length).toBeGreaterThan(0);
  });
});

/** A corruption of the results text by an edit of its JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const edit =
  (change: (run: Record<string, any>) => void) =>
  (text: string): string => {
    const run = JSON.parse(text);
    change(run);
    return JSON.stringify(run);
  };

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
    [
      'a case without its fields',
      (text: string) => text.replace('"seq_len"', '"length"'),
      /cases\[0\] has no 'seq_len'/,
    ],
    ['a created_at that is not a string', edit((r) => (r.created_at = 0)), /created_at must be a string \(got 0\)/],
    [
      'a thin environment',
      edit((r) => delete r.environment.total_memory_bytes),
      /environment\.total_memory_bytes is missing/,
    ],
    [
      'a thread count of 0',
      edit((r) => (r.environment.threads = 0)),
      /environment\.threads must be a positive integer or null \(got 0\)/,
    ],
    [
      'a zero timing',
      edit((r) => (r.cases[0].median_ms = 0)),
      /cases\[0\]\.median_ms must be a positive number \(got 0\)/,
    ],
    [
      'a timing as text',
      edit((r) => (r.cases[1].min_ms = '1')),
      /cases\[1\]\.min_ms must be a positive number \(got "1"\)/,
    ],
  ])('%s', async (_label, corrupt, message) => {
    const bad = path.join(dir, 'bad');
    fs.rmSync(bad, { recursive: true, force: true });
    fs.mkdirSync(bad);
    const file = path.join(bad, corrupt === null ? 'nowhere.json' : 'results.json');
    if (corrupt !== null) fs.writeFileSync(file, corrupt(JSON.stringify(exampleResults())));
    expectUsageError(await runCli(['analyze', '--results', file, '--out', path.join(bad, 'out')], dir), message);
    expect(fs.existsSync(path.join(bad, 'out'))).toBe(false);
  });

  it('none or more than one of RUN, --results and --example-data', async () => {
    expectUsageError(
      await runCli(['analyze'], dir),
      /no run under \.\/results: give a run folder or its results.json .*, --results <file> or --example-data/,
    );
    expectUsageError(await runCli(['analyze', '--example-data', '--results', 'x.json'], dir), /not both/);
    expectUsageError(await runCli(['analyze', runDir, '--example-data'], dir), /not both/);
  });

  it('an --example-data that names no shipped run is refused with the names', async () => {
    expectUsageError(
      await runCli(['analyze', '--example-data', 'tpu'], dir),
      /--example-data: 'tpu' is not a shipped run \(cpu or gpu or recall\)/,
    );
  });

  it('what is not a regular file is refused at once: /dev/zero, a FIFO', async () => {
    const fifo = path.join(dir, 'results.fifo');
    execFileSync('mkfifo', [fifo]);
    for (const [file, kind] of [
      ['/dev/zero', 'a device'],
      [fifo, 'a FIFO'],
    ]) {
      expectUsageError(
        await runCli(['analyze', '--results', file, '--out', path.join(dir, 'never')], dir),
        new RegExp(`cannot read results file ${file}: it is ${kind}, not a regular file`),
      );
    }
    expect(fs.existsSync(path.join(dir, 'never'))).toBe(false);
  });

  it('an --out under /proc fails at once', async () => {
    expectUsageError(
      await runCli(['analyze', '--results', path.join(runDir, 'results.json'), '--out', '/proc/bsbr/out'], dir),
      /cannot write to --out \/proc\/bsbr\/out: cannot create the folder \/proc\/bsbr\/out: no such file or directory \(ENOENT\)/,
    );
  });

  it('an --out that cannot be a folder', async () => {
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, '');
    expectUsageError(
      await runCli(['analyze', '--results', path.join(runDir, 'results.json'), '--out', path.join(file, 'sub')], dir),
      /cannot write to --out/,
    );
  });

  it("an --out holding a user's own report.html is refused (as compare's --out): the file untouched, nothing written", async () => {
    const out = path.join(dir, 'mine');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'report.html'), '<p>my own report</p>');
    expectUsageError(
      await runCli(['analyze', runDir, '--out', out], dir),
      /^bsbr: error: --out: '.*mine' holds files that no analysis wrote there, or that changed since \(report\.html\); give a new or empty folder/,
    );
    expect(fs.readdirSync(out)).toEqual(['report.html']);
    expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toBe('<p>my own report</p>');
  });

  it('analyze writes again over its own output (and beside the run it reads), not once a file there is added or edited', async () => {
    const out = path.join(dir, 'again');
    for (let i = 0; i < 2; i++) expect((await runCli(['analyze', runDir, '--out', out, '--quiet'], dir)).code).toBe(0);
    // The run's folder, analysed into itself by beforeAll: its results.json and the analysis written there.
    expect((await runCli(['analyze', runDir, '--out', runDir, '--quiet'], dir)).code).toBe(0);
    const before = new Map(fs.readdirSync(out).map((name) => [name, fs.readFileSync(path.join(out, name))]));
    fs.writeFileSync(path.join(out, 'notes.txt'), 'mine');
    expectUsageError(
      await runCli(['analyze', runDir, '--out', out], dir),
      /holds files that no analysis wrote there, or that changed since \(notes\.txt\)/,
    );
    fs.rmSync(path.join(out, 'notes.txt'));
    fs.appendFileSync(path.join(out, 'report.html'), '<!-- my edit -->');
    expectUsageError(
      await runCli(['analyze', runDir, '--out', out], dir),
      /holds files that no analysis wrote there, or that changed since \(report\.html\)/,
    );
    for (const [name, bytes] of before) {
      if (name !== 'report.html') expect(fs.readFileSync(path.join(out, name))).toEqual(bytes);
    }
    expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toMatch(/<!-- my edit -->$/);
  });
});

describe('bsbr analyze on a full disk (a real 64 KB tmpfs)', () => {
  const small = useSmallDisk(64);

  small.it(
    'one line naming the file, exit 2, and nothing written: no file half-written, no temporary file',
    async () => {
      const disk = small.disk();
      const out = path.join(disk.dir, 'analysis');
      const child = await runCli(['analyze', '--results', path.join(runDir, 'results.json'), '--out', out], dir);
      expect(child.code).toBe(2);
      expect(child.stderr).toMatch(
        new RegExp(`^bsbr: error: cannot write ${out}/[\\w.]+: no space left on device \\(ENOSPC\\)\n$`),
      );
      expect(fs.readdirSync(out)).toEqual([]);
    },
  );
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
    const child = await runCli(['analyze', '--example-data', '--quiet'], dir);
    expect(child.stderr).toBe('');
    expect(child.code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'bsbr-example-analysis', 'report.html'))).toBe(true);
    expect(child.stdout).toContain('forward time fits:');
  });

  it('ships a real GPU run: all seven models on a hardware webgpu adapter, each case with its GPU kernel time', () => {
    const run = readResults(exampleDataPath('gpu'));
    expect(new Set(run.cases.map((c) => c.model))).toEqual(new Set(MODEL_NAMES));
    expect(run.cases.every((c) => c.status === 'ok' && (c.gpu_kernel_ms ?? 0) > 0)).toBe(true);
    expect(run.environment.backend).toBe('webgpu');
    expect(run.environment.adapter).toMatchObject({ vendor: 'nvidia', software: false });
  });

  it('ships a real GPU recall run: every model trained on a hardware webgpu adapter, each case with its test evaluations', () => {
    const run = readRecallResults(exampleDataPath('recall'));
    expect(new Set(run.cases.map((c) => c.model))).toEqual(new Set(MODEL_NAMES));
    expect(run.cases.every((c) => c.status === 'ok' && c.evaluations.length > 0 && (c.steps ?? 0) > 0)).toBe(true);
    expect(run.environment.backend).toBe('webgpu');
    expect(run.environment.adapter).toMatchObject({ vendor: 'nvidia', software: false });
  });

  it('--example-data recall analyses the recall run into ./bsbr-example-recall-analysis', async () => {
    const child = await runCli(['analyze', '--example-data', 'recall', '--quiet'], dir);
    expect(child.stderr).toBe('');
    expect(child.code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'bsbr-example-recall-analysis', 'report.html'))).toBe(true);
  });

  it('--example-data gpu analyses the GPU run into ./bsbr-example-gpu-analysis', async () => {
    const child = await runCli(['analyze', '--example-data', 'gpu', '--quiet'], dir);
    expect(child.stderr).toBe('');
    expect(child.code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'bsbr-example-gpu-analysis', 'report.html'))).toBe(true);
    expect(child.stdout).toContain('forward time fits:');
  });
});
