import { registerCausalAttention } from './causal_attention';
import { registerExclusiveScan } from './exclusive_scan';

/**
 * The webgpu backend's kernels that this package adds (docs/gpu.md says why): CausalAttention, the
 * fused causal softmax attention, and ExclusiveScan, a one-pass prefix sum over chunks. Called once the webgpu backend's package is loaded.
 */
export function installWebGpuKernels(): void {
  registerCausalAttention();
  registerExclusiveScan();
}
