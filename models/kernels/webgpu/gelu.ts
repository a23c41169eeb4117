/**
 * GELU on webgpu: 0.5 x (1 + erf(x / sqrt 2)) in one elementwise dispatch, erf by the same
 * Abramowitz-Stegun formula 7.1.26 (error below 1.5e-7) as TensorFlow.js's own Erf kernel. The
 * stock ops take five dispatches and upload three scalars on every call.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from '../register';
import { GELU, KernelArgs } from '../names';
import { dispatch, WebGpuBackend, workgroupsFor } from './program';

const { ERF_P, ERF_A1, ERF_A2, ERF_A3, ERF_A4, ERF_A5 } = tf.backend_util;

/** WGSL: `fn gelu(v : f32) -> f32`, the exact GELU. */
export const GELU_WGSL = `
  fn erf(a : f32) -> f32 {
    let t = 1.0 / (1.0 + ${ERF_P} * abs(a));
    let poly = ((((${ERF_A5} * t + ${ERF_A4}) * t + ${ERF_A3}) * t + ${ERF_A2}) * t + ${ERF_A1}) * t;
    return sign(a) * (1.0 - poly * exp(-a * a));
  }

  fn gelu(v : f32) -> f32 {
    return 0.5 * v * (1.0 + erf(v * ${Math.SQRT1_2}));
  }
`;

const CODE = `
  ${GELU_WGSL}

  fn main(index : i32) {
    if (index < uniforms.count) { result[index] = gelu(x[index]); }
  }
`;

function gelu({ inputs: { x }, backend }: KernelArgs<typeof GELU, WebGpuBackend>): tf.TensorInfo {
  const count = tf.util.sizeFromShape(x.shape);
  return dispatch(backend, {
    key: 'gelu',
    inputs: { x },
    outputShape: x.shape,
    workgroups: workgroupsFor(count),
    uniforms: { count: ['i32', count] },
    code: () => CODE,
  });
}

export function registerGelu(): void {
  registerOnce(GELU, 'webgpu', gelu);
}
