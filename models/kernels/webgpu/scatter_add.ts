/**
 * SCATTER_ADD on webgpu: a gather's gradient without the atomic contention of TensorFlow.js's
 * ScatterNd. ScatterNd adds every update into its row by a compare-exchange loop, one per element;
 * when most indices are one value (MQAR's filler token), thousands of invocations retry on the same
 * address, and one embedding gradient took most of a training step's GPU time. Here a workgroup
 * takes ROWS consecutive updates and, per feature, sums each run of equal indices before one
 * atomic add: at most one add per run instead of one per row. Two dispatches: zeros, then the sums.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from '../register';
import { KernelArgs, SCATTER_ADD } from '../names';
import { dispatch, FLAT_WORKGROUP_INDEX, WebGpuBackend, WORKGROUP, workgroupsFor } from './program';

/** Updates per workgroup. */
const ROWS = 256;

const ZEROS = `
  fn main(index : i32) {
    if (index < uniforms.count) { result[index] = 0.0; }
  }
`;

const SUMS = `
  var<workgroup> ids : array<i32, ${ROWS}>;
  var<workgroup> groupSlot : i32;

  // result[index] += value, on the float's bits.
  fn addTo(index : i32, value : f32) {
    var old = atomicLoad(&result[index]);
    loop {
      let swapped = atomicCompareExchangeWeak(&result[index], old, bitcast<i32>(bitcast<f32>(old) + value));
      if (swapped.exchanged) { break; }
      old = swapped.old_value;
    }
  }

  fn main(index : i32) {
    ${FLAT_WORKGROUP_INDEX}
    let first = workgroupUniformLoad(&groupSlot) * ${ROWS};
    let count = min(${ROWS}, uniforms.count - first);
    for (var i = i32(localIndex); i < count; i += ${WORKGROUP}) { ids[i] = i32(indices[first + i]); }
    workgroupBarrier();
    let F = uniforms.features;
    for (var f = i32(localIndex); f < F; f += ${WORKGROUP}) {
      var run = ids[0];
      var sum = 0.0;
      for (var i = 0; i < count; i++) {
        if (ids[i] != run) {
          addTo(run * F + f, sum);
          run = ids[i];
          sum = 0.0;
        }
        sum += updates[(first + i) * F + f];
      }
      addTo(run * F + f, sum);
    }
  }
`;

function scatterAdd({
  inputs: { indices, updates },
  attrs: { rows },
  backend,
}: KernelArgs<typeof SCATTER_ADD, WebGpuBackend>): tf.TensorInfo {
  const [count, features] = updates.shape;
  const size = rows * features;
  const out = dispatch(backend, {
    key: 'scatterAddZeros',
    inputs: {},
    outputShape: [rows, features],
    workgroups: workgroupsFor(size),
    uniforms: { count: ['i32', size] },
    code: () => ZEROS,
  });
  if (count === 0) return out;
  return dispatch(backend, {
    key: 'scatterAdd',
    inputs: { indices, updates },
    outputShape: [rows, features],
    workgroups: Math.ceil(count / ROWS),
    uniforms: { count: ['i32', count], features: ['i32', features] },
    code: () => SUMS,
    addInto: out,
  });
}

export function registerScatterAdd(): void {
  registerOnce(SCATTER_ADD, 'webgpu', scatterAdd);
}
