/**
 * LAYER_NORM_GRAD on webgpu: LayerNorm's backward in four dispatches at any size, where the
 * composite's vjp takes about forty. With x^ = (x - mean) r, r = 1 / sqrt(var + epsilon) and
 * g = dy gamma, per row of F features:
 *   dx = r (g - mean(g) - x^ mean(g x^)),
 * and over all rows dgamma = sum dy x^, dbeta = sum dy. The rows' (mean, r) come first; dx is a
 * workgroup per row; dgamma and dbeta a workgroup per feature, its invocations striding the rows.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from '../register';
import { KernelArgs, LAYER_NORM_GRAD } from '../names';
import { dispatch, FLAT_WORKGROUP_INDEX, Uniform, WebGpuBackend, WORKGROUP } from './program';
import { rowProgram, WORKGROUP_SUM } from './layer_norm';

/** A workgroup per row: (mean, r) into result[2 row], result[2 row + 1]. */
const STATS = rowProgram(`
    let stats = rowStatistics(base, F);
    if (localIndex == 0u) {
      result[2 * row] = stats.x;
      result[2 * row + 1] = stats.y;
    }
`);

/** A workgroup per row: dx. */
const DX = rowProgram(`
    let mean = stats[2 * row];
    let scale = stats[2 * row + 1];
    var sumG = 0.0;
    var sumGX = 0.0;
    for (var f = i32(localIndex); f < F; f += ${WORKGROUP}) {
      let g = dy[base + f] * gamma[f];
      sumG += g;
      sumGX += g * (x[base + f] - mean) * scale;
    }
    let meanG = workgroupSum(sumG) / f32(F);
    let meanGX = workgroupSum(sumGX) / f32(F);
    for (var f = i32(localIndex); f < F; f += ${WORKGROUP}) {
      let normed = (x[base + f] - mean) * scale;
      result[base + f] = scale * (dy[base + f] * gamma[f] - meanG - normed * meanGX);
    }
`);

/** A workgroup per feature: the sum over rows of dy x^ (dgamma) or of dy (dbeta). */
const columnSum = (ofNormed: boolean) => `
  ${WORKGROUP_SUM}
  var<workgroup> groupSlot : i32;

  fn main(index : i32) {
    ${FLAT_WORKGROUP_INDEX}
    let f = workgroupUniformLoad(&groupSlot);
    let F = uniforms.features;
    if (f >= F) { return; }
    var sum = 0.0;
    for (var row = i32(localIndex); row < uniforms.rows; row += ${WORKGROUP}) {
      ${ofNormed ? 'sum += dy[row * F + f] * (x[row * F + f] - stats[2 * row]) * stats[2 * row + 1];' : 'sum += dy[row * F + f];'}
    }
    let total = workgroupSum(sum);
    if (localIndex == 0u) { result[f] = total; }
  }
`;

function layerNormGrad({
  inputs: { x, gamma, dy },
  attrs: { epsilon },
  backend,
}: KernelArgs<typeof LAYER_NORM_GRAD, WebGpuBackend>): tf.TensorInfo[] {
  const features = x.shape[x.shape.length - 1];
  const rows = tf.util.sizeFromShape(x.shape) / features;
  const uniforms: Record<string, Uniform> = {
    rows: ['i32', rows],
    features: ['i32', features],
    epsilon: ['f32', epsilon],
  };
  const stats = dispatch(backend, {
    key: 'layerNormStats',
    inputs: { x },
    outputShape: [rows, 2],
    workgroups: rows,
    uniforms,
    code: () => STATS,
  });
  const grads = [
    dispatch(backend, {
      key: 'layerNormGradX',
      inputs: { x, gamma, dy, stats },
      outputShape: x.shape,
      workgroups: rows,
      uniforms,
      code: () => DX,
    }),
    dispatch(backend, {
      key: 'layerNormGradGamma',
      inputs: { x, dy, stats },
      outputShape: [features],
      workgroups: features,
      uniforms,
      code: () => columnSum(true),
    }),
    dispatch(backend, {
      key: 'layerNormGradBeta',
      inputs: { dy },
      outputShape: [features],
      workgroups: features,
      uniforms,
      code: () => columnSum(false),
    }),
  ];
  backend.disposeData(stats.dataId);
  return grads;
}

export function registerLayerNormGrad(): void {
  registerOnce(LAYER_NORM_GRAD, 'webgpu', layerNormGrad);
}
