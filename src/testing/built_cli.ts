/**
 * Helpers of the tests whose code under test loads vega or vega-lite: those are ESM-only, and
 * jest's CommonJS runtime cannot import() them, so such tests run the built package (dist/) in a
 * child Node process (see ./cli.ts for running the built `bsbr` command).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { packageRoot } from '../package_root';

/** The sources of `bsbr analyze` (folders: every non-test .ts file in them); their dist/ copies must be newer. */
const SOURCES = [
  'src/analysis',
  'src/analysis/testing',
  'src/reports',
  'src/results',
  'src/options',
  'src/io',
  'src/cli/analyze.ts',
  'src/cli/output.ts',
  'src/cli/main.ts',
  'src/bench/environment.ts',
];

function sourceFiles(entry: string): string[] {
  const full = path.join(packageRoot(), entry);
  if (!fs.statSync(full).isDirectory()) return [entry];
  return fs
    .readdirSync(full)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => path.join(entry, f));
}

/** Throws a clear error when dist/ is missing or older than the sources (run `npx tsc -p tsconfig.json`). */
export function requireFreshBuild(): void {
  for (const source of SOURCES.flatMap(sourceFiles)) {
    const built = path.join(packageRoot(), 'dist', source.replace(/\.ts$/, '.js'));
    if (!fs.existsSync(built) || fs.statSync(built).mtimeMs < fs.statSync(path.join(packageRoot(), source)).mtimeMs) {
      throw new Error(
        `dist/${source.replace(/\.ts$/, '.js')} is missing or older than ${source}: build first with \`npx tsc -p tsconfig.json\` (npm test does)`,
      );
    }
  }
}

/** Runs `code` as an ES module in the package folder (so it can import vega and vega-lite), with `input` on stdin. */
export function runModuleScript(
  code: string,
  input: string,
): { status: number | null; stdout: string; stderr: string } {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: packageRoot(),
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (child.error) throw child.error;
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}
