/** `bsbr regress` end to end through the built command (run `npx tsc -p tsconfig.json` first; npm test does). */
import * as fs from 'fs';
import * as path from 'path';
import { packageRoot } from '../package_root';
import { ResultsFile } from '../results/schema';
import { run, slower, slowerCalibration, sweep, withCaseCalibrations } from '../regress/testing/runs';
import { CliResult, runCli, tempDir } from '../testing/cli';
import { readTextTable } from '../testing/text_table';

let dir: string;
beforeAll(() => {
  const built = path.join(packageRoot(), 'dist', 'src', 'cli', 'regress.js');
  if (!fs.existsSync(built)) throw new Error(`${built} is missing: build first with \`npx tsc -p tsconfig.json\``);
  dir = tempDir();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let count = 0;
/** Writes `content` (a run, or raw text) to a new file in the temp folder; returns its path. */
function file(content: ResultsFile | string): string {
  const target = path.join(dir, `run${count++}.json`);
  fs.writeFileSync(target, typeof content === 'string' ? content : JSON.stringify(content));
  return target;
}

function regress(baseline: string, current: string, ...options: string[]): Promise<CliResult> {
  return runCli(['regress', '--baseline', baseline, '--current', current, ...options], dir);
}

/** The verdict column of the table, by "model mode n". */
function verdicts(stdout: string): Record<string, string> {
  return Object.fromEntries(readTextTable(stdout, 'model').map((r) => [`${r.model} ${r.mode} ${r.n}`, r.verdict]));
}

function expectBadInput(result: CliResult, pattern: RegExp): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^bsbr: error: /);
  expect(lines.join('\n')).toMatch(pattern);
}

const baselineRun = run(sweep());
let baseline: string;
beforeAll(() => {
  baseline = file(baselineRun);
});

describe('bsbr regress', () => {
  it('passes identical runs with exit 0 and a row per case', async () => {
    const result = await regress(baseline, file(run(sweep())));
    expect(result.code).toBe(0);
    const rows = verdicts(result.stdout);
    expect(Object.keys(rows)).toHaveLength(12);
    expect(new Set(Object.values(rows))).toEqual(new Set(['within threshold']));
    expect(result.stdout).toMatch(/^no regressions: 12 cases compared/m);
  });

  it('fails one model made 30% slower with exit 1, naming its cases', async () => {
    const result = await regress(baseline, file(slower(baselineRun, 1.3, (c) => c.model === 'Standard')));
    expect(result.code).toBe(1);
    const regressed = Object.entries(verdicts(result.stdout))
      .filter(([, v]) => v === 'regression')
      .map(([k]) => k);
    expect(regressed.sort()).toEqual([
      'Standard decode 256',
      'Standard decode 512',
      'Standard forward 256',
      'Standard forward 512',
    ]);
    const outcome = result.stdout.trimEnd().split('\n\n').pop()!.replace(/\n/g, ' ');
    expect(outcome).toMatch(
      /^4 regressions: .*regressed: Standard forward n=256, Standard forward n=512, Standard decode n=256, Standard decode n=512$/m,
    );
  });

  it('passes every case 30% slower together with the calibration', async () => {
    const result = await regress(baseline, file(slowerCalibration(slower(baselineRun, 1.3), 1.3)));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/machine factor 1\.300/);
  });

  it('calls a loaded machine (noise bars near ±100%) inconclusive with exit 3, even over a 2x regression, and says why', async () => {
    const quiet = withCaseCalibrations(run(sweep()));
    for (const factor of [1, 2]) {
      const loaded = withCaseCalibrations(slower(run(sweep(0.85)), factor), 60);
      const result = await regress(file(quiet), file(loaded));
      expect(result.code).toBe(3);
      expect(new Set(Object.values(verdicts(result.stdout)))).toEqual(new Set(['inconclusive']));
      const outcome = result.stdout.trimEnd().split('\n\n').pop()!.replace(/\n/g, ' ');
      expect(outcome).toMatch(
        /^inconclusive: 12 cases compared, .* inconclusive: 12 cases cannot show a 10% change \(noise bars? ±\d+%( to ±\d+%)?\): the noise exceeds what must be detected/,
      );
    }
  });

  it('takes run folders, for the baseline and as RUN', async () => {
    const folder = (results: ResultsFile) => {
      const target = path.join(dir, `folder${count++}`);
      fs.mkdirSync(target);
      fs.writeFileSync(path.join(target, 'results.json'), JSON.stringify(results));
      return target;
    };
    const result = await runCli(['regress', folder(slower(baselineRun, 2)), '--baseline', folder(baselineRun)], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^12 regressions: 12 cases compared/m);
    expectBadInput(
      await runCli(['regress', baseline, '--current', baseline], dir),
      /give the run to check once: as RUN or as --current, not both/,
    );
    expectBadInput(await runCli(['regress'], dir), /give the run to check: bsbr regress results\/<run>/);
  });

  it('writes markdown, JSON and CSV for CI summaries, with the same exit code', async () => {
    const current = file(slower(baselineRun, 1.3, (c) => c.model === 'Linear' && c.seq_len === 512));
    const markdown = await regress(baseline, current, '--format', 'markdown');
    expect(markdown.code).toBe(1);
    expect(markdown.stdout).toMatch(/^### bsbr regress: REGRESSION$/m);
    expect(markdown.stdout).toMatch(/^\| Linear \| forward \| 512 \| .* \| \+30% \| .* \| regression \|$/m);
    const json = await regress(baseline, current, '--format', 'json', '--threshold', '35%');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ threshold: 0.35, regressions: 0 });
    const csv = await regress(baseline, current, '--format', 'csv');
    expect(csv.code).toBe(1);
    expect(csv.stdout).toMatch(/^Linear,forward,512,run,ok,.*,regression$/m);
  });

  it('fails a current run that lacks baseline cases (an interrupted sweep compares less, it does not pass)', async () => {
    const result = await regress(baseline, file({ ...baselineRun, cases: baselineRun.cases.slice(0, 3) }));
    expect(result.code).toBe(1);
    expect(Object.values(verdicts(result.stdout)).filter((v) => v === 'missing in current')).toHaveLength(9);
    expect(result.stdout).toMatch(/^9 regressions: 3 cases compared, 9 listed only/m);
  });

  describe('bad input: exit 2 and a clear message', () => {
    it('a missing, truncated or foreign file', async () => {
      expectBadInput(await regress(path.join(dir, 'nope.json'), baseline), /results file not found: .*nope\.json/);
      expectBadInput(
        await regress(baseline, file(JSON.stringify(baselineRun).slice(0, 200))),
        /run\d+\.json is not valid JSON \(truncated or corrupted\?\)/,
      );
      expectBadInput(await regress(baseline, file('{"cases": []}')), /is not a bsbr results file/);
    });

    it('a run without calibration', async () => {
      expectBadInput(
        await regress(baseline, file({ ...baselineRun, calibration: null })),
        /has no calibration measurement; bsbr regress divides every timing by the calibration matmul/,
      );
    });

    it('runs that are not comparable', async () => {
      const other = file({ ...baselineRun, environment: { ...baselineRun.environment, backend: 'cpu' } });
      expectBadInput(
        await regress(baseline, other),
        /not comparable \(1 difference\): backend: "wasm" in the baseline, "cpu" in the current run\. Run the current sweep as the baseline was made: bsbr compare /,
      );
      expectBadInput(
        await regress(baseline, file(run([{ model: 'GAU', seq_len: 64 }]))),
        /no \(model, mode, length\) case in common/,
      );
    });

    it('bad options', async () => {
      expectBadInput(await regress(baseline, baseline, '--threshold', 'ten'), /--threshold: 'ten' is not a percentage/);
      const format = await regress(baseline, baseline, '--format', 'html');
      expect(format.code).toBe(2);
      expect(format.stderr).toMatch(/argument 'html' is invalid. Allowed choices are table, json, markdown, csv/);
    });
  });

  describe('--update-baseline', () => {
    it('copies the current run over the baseline, creating its folder, and then compares clean', async () => {
      const current = file(slower(baselineRun, 1.5));
      const target = path.join(dir, 'new', 'baseline', 'results.json');
      const result = await regress(target, current, '--update-baseline');
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^updated the baseline .*results\.json with .*: run synthetic, 12 cases, wasm on /);
      expect(fs.readFileSync(target, 'utf8')).toBe(fs.readFileSync(current, 'utf8'));
      expect(fs.readdirSync(path.dirname(target))).toEqual(['results.json']);
      expect((await regress(target, current)).code).toBe(0);
    });

    it.each<[string, (r: ResultsFile) => ResultsFile, RegExp]>([
      [
        'a zero median',
        (r) => ({ ...r, cases: r.cases.map((c, i) => (i === 0 ? { ...c, median_ms: 0 } : c)) }),
        /cases\[0\]\.median_ms must be a positive number \(got 0\)/,
      ],
      [
        'a duplicated case',
        (r) => ({ ...r, cases: [...r.cases, r.cases[0]] }),
        /cases\[12\] repeats the case BSBR forward n=256 of cases\[0\]/,
      ],
      [
        'no ok case',
        (r) => ({ ...r, cases: r.cases.map((c) => ({ ...c, status: 'error' as const })) }),
        /has no ok case: as a baseline it would compare nothing/,
      ],
    ])(
      'refuses, as regress itself would, a run with %s and leaves the baseline alone',
      async (_what, spoil, message) => {
        const target = file(baselineRun);
        const before = fs.readFileSync(target, 'utf8');
        expectBadInput(await regress(target, file(spoil(baselineRun)), '--update-baseline'), message);
        expect(fs.readFileSync(target, 'utf8')).toBe(before);
      },
    );

    it('a baseline under /proc fails at once', async () => {
      expectBadInput(
        await regress('/proc/bsbr/baseline/results.json', baseline, '--update-baseline'),
        /cannot create the folder \/proc\/bsbr\/baseline: no such file or directory/,
      );
    });

    it('refuses a current run without calibration and leaves the baseline alone', async () => {
      const target = file(baselineRun);
      const before = fs.readFileSync(target, 'utf8');
      expectBadInput(
        await regress(target, file({ ...baselineRun, calibration: null }), '--update-baseline'),
        /has no calibration measurement; bsbr regress divides/,
      );
      expect(fs.readFileSync(target, 'utf8')).toBe(before);
    });
  });
});
