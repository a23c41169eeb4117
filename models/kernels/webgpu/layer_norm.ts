/**
 * LAYER_NORM on webgpu: a row's mean, variance, normalisation, weight and bias in one dispatch, one
 * workgroup per row reducing in workgroup memory. The stock ops take nine dispatches (moments, the
 * epsilon, rsqrt, the products and sums) and upload the epsilon as a tensor on every call; the
 * per-dispatch host cost, not the GPU's time, is what a LayerNorm costs there.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from '../register';
import { KernelArgs, LAYER_NORM } from '../names';
import { dispatch, FLAT_WORKGROUP_INDEX, WebGpuBackend, WORKGROUP } from './program';

/** WGSL: `fn workgroupSum(value : f32) -> f32`, the sum of every invocation's value, returned to all of them. */
export const WORKGROUP_SUM = `
  var<workgroup> partial : array<f32, ${WORKGROUP}>;

  fn workgroupSum(value : f32) -> f32 {
    let t = localIndex;
    partial[t] = value;
    workgroupBarrier();
    for (var half = ${WORKGROUP / 2}u; half > 0u; half = half / 2u) {
      if (t < half) { partial[t] += partial[t + half]; }
      workgroupBarrier();
    }
    let total = partial[0];
    workgroupBarrier();
    return total;
  }
`;

/**
 * WGSL of a program with a workgroup per row of x [rows, F] (uniforms rows, features, epsilon):
 * `main` sets `row`, `F` and `base` (the row's first element), returns past the last row and runs
 * `body`, which may call workgroupSum and rowStatistics.
 */
export const rowProgram = (body: string) => `
  ${WORKGROUP_SUM}
  var<workgroup> groupSlot : i32;

  // (mean, 1 / sqrt(variance + epsilon)) of the row of x from base, the biased variance.
  fn rowStatistics(base : i32, F : i32) -> vec2<f32> {
    var sum = 0.0;
    for (var f = i32(localIndex); f < F; f += ${WORKGROUP}) { sum += x[base + f]; }
    let mean = workgroupSum(sum) / f32(F);
    var squares = 0.0;
    for (var f = i32(localIndex); f < F; f += ${WORKGROUP}) { let c = x[base + f] - mean; squares += c * c; }
    return vec2<f32>(mean, inverseSqrt(workgroupSum(squares) / f32(F) + uniforms.epsilon));
  }

  fn main(index : i32) {
    ${FLAT_WORKGROUP_INDEX}
    let row = workgroupUniformLoad(&groupSlot);
    if (row >= uniforms.rows) { return; }
    let F = uniforms.features;
    let base = row * F;
    ${body}
  }
`;

const CODE = rowProgram(`
    let stats = rowStatistics(base, F);
    for (var f = i32(localIndex); f < F; f += ${WORKGROUP}) {
      result[base + f] = (x[base + f] - stats.x) * stats.y * gamma[f] + beta[f];
    }
`);

function layerNorm({
  inputs: { x, gamma, beta },
  attrs: { epsilon },
  backend,
}: KernelArgs<typeof LAYER_NORM, WebGpuBackend>): tf.TensorInfo {
  const features = x.shape[x.shape.length - 1];
  const rows = tf.util.sizeFromShape(x.shape) / features;
  return dispatch(backend, {
    key: 'layerNorm',
    inputs: { x, gamma, beta },
    outputShape: x.shape,
    workgroups: rows,
    uniforms: { rows: ['i32', rows], features: ['i32', features], epsilon: ['f32', epsilon] },
    code: () => CODE,
  });
}

export function registerLayerNorm(): void {
  registerOnce(LAYER_NORM, 'webgpu', layerNorm);
}
