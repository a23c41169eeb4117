/**
 * GELU_GRAD on webgpu: dy (Phi(x) + x phi(x)) in one elementwise dispatch, Phi(x) = 0.5 (1 +
 * erf(x / sqrt 2)) by GELU's own erf, phi(x) = exp(-x^2 / 2) / sqrt(2 pi). The composite's vjp
 * takes about ten.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from '../register';
import { GELU_GRAD, KernelArgs } from '../names';
import { GELU_WGSL } from './gelu';
import { dispatch, WebGpuBackend, workgroupsFor } from './program';

const CODE = `
  ${GELU_WGSL}

  fn main(index : i32) {
    if (index < uniforms.count) {
      let v = x[index];
      let cdf = 0.5 * (1.0 + erf(v * ${Math.SQRT1_2}));
      result[index] = dy[index] * (cdf + v * exp(-0.5 * v * v) * ${1 / Math.sqrt(2 * Math.PI)});
    }
  }
`;

function geluGrad({ inputs: { x, dy }, backend }: KernelArgs<typeof GELU_GRAD, WebGpuBackend>): tf.TensorInfo {
  const count = tf.util.sizeFromShape(x.shape);
  return dispatch(backend, {
    key: 'geluGrad',
    inputs: { x, dy },
    outputShape: x.shape,
    workgroups: workgroupsFor(count),
    uniforms: { count: ['i32', count] },
    code: () => CODE,
  });
}

export function registerGeluGrad(): void {
  registerOnce(GELU_GRAD, 'webgpu', geluGrad);
}
