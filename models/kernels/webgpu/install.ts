import { registerCausalAttention } from './causal_attention';

/**
 * The webgpu backend's kernels that this package adds (docs/gpu.md says why): CausalAttention, the
 * fused causal softmax attention. Called once the webgpu backend's package is loaded.
 */
export function installWebGpuKernels(): void {
  registerCausalAttention();
}
