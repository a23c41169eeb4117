/**
 * Which of this package's kernels (models/kernels/names.ts) each test backend has once set up (setup
 * may register kernels), asked of a child process (in_child.ts) so that a test file can name at
 * definition the kernels it skips.
 */
import * as names from '../kernels/names';
import { releaseBackend, setupBackend } from '../backends/setup';
import { TEST_BACKENDS, TestBackend } from './harness';
import { callInChild } from './in_child';

/** Every kernel name models/kernels/names.ts declares. */
export const KERNEL_NAMES = (Object.values(names) as unknown[]).filter(
  (value): value is names.KernelName => typeof value === 'string',
);

/** Per backend: the kernels it registers, or why it cannot be set up here. */
export type RegisteredKernels = Record<TestBackend, { kernels: string[] } | { unusable: string }>;

/** Sets up each backend in turn and says what it registers (run in a child: see registeredKernels). */
export async function findRegisteredKernels(): Promise<RegisteredKernels> {
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
  return report as RegisteredKernels;
}

/** The kernels each test backend registers, found in a child process (a few seconds). */
export function registeredKernels(): RegisteredKernels {
  return callInChild<RegisteredKernels>(__filename, 'findRegisteredKernels');
}
