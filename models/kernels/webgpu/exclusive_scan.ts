/**
 * EXCLUSIVE_SCAN on webgpu: the exclusive prefix sum along axis 1 of [b, G, F] in one pass, one
 * invocation per (row, feature) walking the G steps (reads and writes are contiguous across the
 * invocations of a workgroup). The stock cumsum transposes the axis to the end and back and makes
 * log2(G) + 1 passes over the whole tensor: for GAU's chunk states (F = E^2, a quarter million
 * features) that is most of the model's GPU time.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from '../register';
import { EXCLUSIVE_SCAN, KernelArgs } from '../names';
import { dispatch, WebGpuBackend, workgroupsFor } from './program';

const CODE = `
  fn main(index : i32) {
    let F = uniforms.features;
    if (index >= uniforms.rows * F) { return; }
    let row = index / F;
    let f = index % F;
    var total = 0.0;
    for (var c = 0; c < uniforms.steps; c++) {
      let at = (row * uniforms.steps + c) * F + f;
      let value = x[at];
      result[at] = total;
      total += value;
    }
  }
`;

function exclusiveScan({ inputs: { x }, backend }: KernelArgs<typeof EXCLUSIVE_SCAN, WebGpuBackend>): tf.TensorInfo {
  if (x.shape.length !== 3 || x.dtype !== 'float32')
    throw new Error(`${EXCLUSIVE_SCAN} takes a float32 [b, G, F], not ${x.dtype} [${x.shape}]`);
  const [rows, steps, features] = x.shape;
  return dispatch(backend, {
    key: 'exclusiveScan',
    inputs: { x },
    outputShape: x.shape,
    workgroups: workgroupsFor(rows * features),
    uniforms: { rows: ['i32', rows], steps: ['i32', steps], features: ['i32', features] },
    code: () => CODE,
  });
}

export function registerExclusiveScan(): void {
  registerOnce(EXCLUSIVE_SCAN, 'webgpu', exclusiveScan);
}
