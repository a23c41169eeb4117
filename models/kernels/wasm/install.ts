import { multiplyOnWorker, registerBatchedMatMul } from './batch_matmul';
import { installWasmGather } from './gather';
import { installWasmSlice } from './slice';
import { invertUnitLower, registerUnitLowerInverse } from './unit_lower_inverse';
import { WorkerKernel } from './worker_pool';

/** What the threaded backend's kernel workers run (worker_pool.ts): the batch-split parts of the kernels below. */
export const WORKER_KERNELS: WorkerKernel[] = [multiplyOnWorker, invertUnitLower];

/**
 * The wasm backend's kernels that this package adds or replaces (docs/performance.md says why):
 * BATCHED_MATMUL (batched products on XNNPACK), Slice without the whole-input copy, GatherV2 by rows,
 * UnitLowerInverse (DeltaNet's (I + A)^-1 by forward substitution).
 * Called once the wasm backend's package is loaded.
 */
export function installWasmKernels(): void {
  registerBatchedMatMul();
  installWasmSlice();
  installWasmGather();
  registerUnitLowerInverse();
}
