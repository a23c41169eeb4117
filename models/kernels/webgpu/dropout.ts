/**
 * Seeded dropout on webgpu: each invocation hashes its element's keep/drop draw (the DROPOUT
 * contract, models/kernels/names.ts) and scales x, so no mask is drawn on the host or uploaded.
 * WGSL's u32 products wrap and its `>>` on u32 is logical, as Math.imul and `>>>` on the host.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from '../register';
import { DROPOUT, KernelArgs } from '../names';
import { dispatch, WebGpuBackend, workgroupsFor } from './program';

const CODE = `
  fn lowbias32(x : u32) -> u32 {
    var h = x;
    h = h ^ (h >> 16u);
    h = h * 0x7feb352du;
    h = h ^ (h >> 15u);
    h = h * 0x846ca68bu;
    h = h ^ (h >> 16u);
    return h;
  }

  fn main(index : i32) {
    if (index < uniforms.count) {
      let row = index / uniforms.width;
      let sequenceKey = lowbias32(uniforms.siteKey ^ u32(row / uniforms.rows));
      let rowKey = lowbias32(sequenceKey ^ lowbias32(uniforms.start + u32(row % uniforms.rows)));
      // Dropped where the hash is below the threshold, i.e. at most threshold - 1 (uniforms.last).
      let dropped = lowbias32(rowKey ^ u32(index % uniforms.width)) <= uniforms.last;
      result[index] = x[index] * select(uniforms.keep, 0.0, dropped);
    }
  }
`;

function dropout({
  inputs: { x },
  attrs: { siteKey, start, threshold, keep },
  backend,
}: KernelArgs<typeof DROPOUT, WebGpuBackend>): tf.TensorInfo {
  const [, rows, width] = x.shape;
  const count = tf.util.sizeFromShape(x.shape);
  return dispatch(backend, {
    key: 'dropout',
    inputs: { x },
    outputShape: x.shape,
    workgroups: workgroupsFor(count),
    // threshold - 1: the threshold may be 2^32, which a u32 does not hold.
    uniforms: {
      count: ['i32', count],
      rows: ['i32', rows],
      width: ['i32', width],
      siteKey: ['u32', siteKey],
      start: ['u32', start],
      last: ['u32', threshold - 1],
      keep: ['f32', keep],
    },
    code: () => CODE,
  });
}

export function registerDropout(): void {
  registerOnce(DROPOUT, 'webgpu', dropout);
}
