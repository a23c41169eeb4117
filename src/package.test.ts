/**
 * The package as `npm pack` makes it (run `npm run build` first; npm test does): what it holds, and
 * the README's library example run exactly as written from it, with the package installed in a
 * fresh project (its dependencies linked from this checkout's node_modules, so no network is needed).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { packageRoot } from './package_root';

let dir: string;
let files: string[];
let project: string;

/** The code block under "Save this as `<file>`" in the README. */
function readmeExample(file = 'example.mjs'): string {
  const readme = fs.readFileSync(path.join(packageRoot(), 'README.md'), 'utf8');
  const after = readme.slice(readme.indexOf(`Save this as \`${file}\``));
  const block = /```js\n([\s\S]*?)```/.exec(after);
  if (!block) throw new Error(`README.md has no js code block after "Save this as \`${file}\`"`);
  return block[1];
}

function run(command: string, args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const child = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 180_000 });
  if (child.error) throw child.error;
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

beforeAll(() => {
  if (!fs.existsSync(path.join(packageRoot(), 'dist', 'src', 'index.js')))
    throw new Error('dist/ is missing: build first with `npm run build`');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsbr-pack-'));
  const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], packageRoot());
  expect(packed.status).toBe(0);
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  files = info.files.map((f) => f.path);
  // Installed as npm would: the package under node_modules/bsbr, its dependencies beside it.
  project = path.join(dir, 'project');
  const modules = path.join(project, 'node_modules');
  fs.mkdirSync(modules, { recursive: true });
  expect(run('tar', ['-xzf', path.join(dir, info.filename), '-C', dir], dir).status).toBe(0);
  fs.renameSync(path.join(dir, 'package'), path.join(modules, 'bsbr'));
  const ours = path.join(packageRoot(), 'node_modules');
  for (const name of fs.readdirSync(ours).filter((n) => !n.startsWith('.')))
    fs.symlinkSync(path.join(ours, name), path.join(modules, name));
}, 120_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('holds the license, the built library and command, the presets and the example data, and no tests or test helpers', () => {
  for (const file of [
    'LICENSE',
    'README.md',
    'package.json',
    'bin/bsbr.js',
    'dist/src/index.js',
    'dist/src/cli/main.js',
    'evals/presets/long.args',
    'results/example/results.json',
    'results/example-gpu/results.json',
  ]) {
    expect(files).toContain(file);
  }
  expect(files.filter((f) => /\.test\.|\/testing\//.test(f))).toEqual([]);
  expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
});

test('the README example runs as written from the installed package, prints what it says and leaves no tensor', () => {
  fs.writeFileSync(path.join(project, 'example.mjs'), readmeExample());
  const result = run(process.execPath, ['example.mjs'], project);
  // (Dawn, the webgpu package's native library, prints two 'Warning: maxDynamic...' lines when auto probes its adapter.)
  expect(result.stderr.split('\n').filter((l) => l && !l.startsWith('Warning: maxDynamic'))).toEqual([]);
  expect(result.status).toBe(0);
  const lines = result.stdout.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^backend: (tensorflow-gpu|webgpu|tensorflow|wasm|cpu)$/);
  expect(lines.slice(1)).toEqual([
    'forward: [2,256,512]',
    'decode: [2,200,512] then [2,1,512]',
    expect.stringMatching(/^parameters: BSBR \d+, DeltaNet \d+$/),
    'tensors left: 0',
  ]);
}, 180_000);

test('the README training example runs as written from the installed package: gradients for every weight, a lower loss after a step, no tensor left', () => {
  fs.writeFileSync(path.join(project, 'train.mjs'), readmeExample('train.mjs'));
  const result = run(process.execPath, ['train.mjs'], project);
  expect(result.stderr.split('\n').filter((l) => l && !l.startsWith('Warning: maxDynamic'))).toEqual([]);
  expect(result.status).toBe(0);
  expect(result.stdout.trimEnd().split('\n')).toEqual([
    'gradients: 43 weights',
    'loss went down: true',
    'tensors left: 0',
  ]);
}, 180_000);

test("the package imports itself by name inside its own folder (the exports self-reference), as the README's example does", () => {
  const result = run(
    process.execPath,
    ['--input-type=module', '-e', "import { createModel } from 'bsbr'; console.log(typeof createModel);"],
    packageRoot(),
  );
  expect(result.stderr).toBe('');
  expect(result.stdout.trim()).toBe('function');
});

test('the installed command finds its shipped presets and example data from another folder', () => {
  const bin = path.join(project, 'node_modules', 'bsbr', 'bin', 'bsbr.js');
  const dryRun = run(process.execPath, [bin, 'compare', '--preset', 'anchor', '--dry-run'], project);
  expect(dryRun.status).toBe(0);
  expect(dryRun.stdout).toMatch(/^4 cases, about \d+ s in all/m);
  const analyzed = run(process.execPath, [bin, 'analyze', '--example-data', '--quiet', '--format', 'json'], project);
  expect(analyzed.status).toBe(0);
  expect(JSON.parse(analyzed.stdout).cases).toHaveLength(28);
  expect(fs.existsSync(path.join(project, 'bsbr-example-analysis', 'report.html'))).toBe(true);
}, 120_000);
