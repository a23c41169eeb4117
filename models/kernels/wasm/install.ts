import { registerBatchMatMulXnn } from './batch_matmul';
import { installWasmGather } from './gather';
import { installWasmSlice } from './slice';
import { registerUnitLowerInverse } from './unit_lower_inverse';

/**
 * The wasm backend's kernels that this package adds or replaces (docs/performance.md says why):
 * BatchMatMulXnn (batched products on XNNPACK), Slice without the whole-input copy, GatherV2 by rows,
 * UnitLowerInverse (DeltaNet's (I + A)^-1 by forward substitution).
 * Called once the wasm backend's package is loaded.
 */
export function installWasmKernels(): void {
  registerBatchMatMulXnn();
  installWasmSlice();
  installWasmGather();
  registerUnitLowerInverse();
}
