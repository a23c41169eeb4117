/**
 * Which of this package's kernels (models/kernels/names.ts) each test backend has once set up. Jest
 * defines a file's tests synchronously, before any backend can be set up (setup is asynchronous and
 * may register kernels), so a test that must name at definition the backends it skips asks a child
 * process, which sets each backend up as the tests do and reports.
 */
import { execFileSync } from 'child_process';
import * as names from '../kernels/names';
import { releaseBackend, setupBackend } from '../backends/setup';
import { TEST_BACKENDS, TestBackend } from './harness';

/** Every kernel name models/kernels/names.ts declares. */
export const KERNEL_NAMES = (Object.values(names) as unknown[]).filter((value): value is names.KernelName => typeof value === 'string');

/** Per backend: the kernels it registers, or why it cannot be set up here. */
export type RegisteredKernels = Record<TestBackend, { kernels: string[] } | { unusable: string }>;

/** Runs in the child: sets up each backend in turn and prints what it registers. */
export async function printRegisteredKernels(): Promise<void> {
  const report: Partial<RegisteredKernels> = {};
  for (const backend of TEST_BACKENDS) {
    try {
      await setupBackend(backend);
      report[backend] = { kernels: KERNEL_NAMES.filter(names.hasKernel) };
    } catch (err) {
      report[backend] = { unusable: String((err as Error).message).split('\n')[0] };
    }
  }
  releaseBackend();
  process.stdout.write(JSON.stringify(report));
  process.exit(0);
}

/** The child's program: TypeScript loaded by transpiling each file (as ts-jest does for the tests), then the report. */
const CHILD = `
const ts = require('typescript');
const fs = require('fs');
require.extensions['.ts'] = (module, file) => module._compile(ts.transpileModule(fs.readFileSync(file, 'utf8'), {
  compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
}).outputText, file);
require(process.argv[1]).printRegisteredKernels();
`;

/** The kernels each test backend registers, found in a child process (a few seconds). */
export function registeredKernels(): RegisteredKernels {
  const output = execFileSync(process.execPath, ['-e', CHILD, __filename], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(output) as RegisteredKernels;
}
