import { registerCausalAttention } from './causal_attention';
import { registerCausalAttentionGrad } from './causal_attention_grad';
import { registerChunkAttention } from './chunk_attention';
import { registerChunkStates } from './chunk_states';
import { registerDeltaRule } from './delta_rule';
import { registerDeltaRuleGrad } from './delta_rule_grad';
import { registerDense } from './dense';
import { registerDropout } from './dropout';
import { registerEmbedding } from './embedding';
import { registerExclusiveScan } from './exclusive_scan';
import { registerGelu } from './gelu';
import { registerGeluGrad } from './gelu_grad';
import { registerLayerNorm } from './layer_norm';
import { registerLayerNormGrad } from './layer_norm_grad';
import { registerLinearAttention } from './linear_attention';
import { registerRetrieve } from './retrieve';
import { registerScatterAdd } from './scatter_add';

/**
 * The webgpu backend's kernels that this package adds (docs/gpu.md says why): CausalAttention, the
 * fused causal softmax attention, and CausalAttentionGrad, its backward; DeltaRule and LinearAttention, each a layer's whole recurrence in
 * one dispatch, and DeltaRuleGrad, DeltaRule's backward in nine; ChunkStates, Retrieve and ChunkAttention, BSBR's attention around its compression;
 * ExclusiveScan, a one-pass prefix sum over chunks; LayerNorm and Gelu, each one dispatch instead of
 * five to nine, and their backwards, LayerNormGrad in four and GeluGrad in one (on a GPU the per-dispatch host cost dominates short sequences); Dense, a layer with
 * its LayerNorm, bias, GELU and residual; Embedding, the token rows with their positions; Dropout, the
 * seeded masks drawn on the device instead of hashed and uploaded by the host; ScatterAdd, a gather's
 * gradient that sums runs of equal indices before adding them. Called
 * once the webgpu backend's package is loaded.
 */
export function installWebGpuKernels(): void {
  registerCausalAttention();
  registerCausalAttentionGrad();
  registerExclusiveScan();
  registerDeltaRule();
  registerDeltaRuleGrad();
  registerLinearAttention();
  registerChunkStates();
  registerRetrieve();
  registerChunkAttention();
  registerLayerNorm();
  registerLayerNormGrad();
  registerGelu();
  registerGeluGrad();
  registerDense();
  registerEmbedding();
  registerDropout();
  registerScatterAdd();
}
