/**
 * LAYER_NORM on webgpu: a row's mean, variance, normalisation, weight and bias in one dispatch, one
 * workgroup per row reducing in workgroup memory. The stock ops take nine dispatches (moments, the
 * epsilon, rsqrt, the products and sums) and upload the epsilon as a tensor on every call; the
 * per-dispatch host cost, not the GPU's time, is what a LayerNorm costs there.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from '../register';
import { LAYER_NORM } from '../names';
import { FLAT_WORKGROUP_INDEX, WebGpuBackend, WebGpuProgram } from './program';

const WORKGROUP = 64;

class LayerNormProgram implements WebGpuProgram {
  variableNames = ['x', 'gamma', 'beta'];
  outputShape: number[];
  shaderKey = 'bsbrLayerNorm';
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  uniforms = 'rows : i32, features : i32, epsilon : f32,';

  constructor(shape: number[], rows: number) {
    this.outputShape = shape;
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = [rows, 1, 1];
  }

  getUserCode(): string {
    return `
      var<workgroup> partial : array<f32, ${WORKGROUP}>;
      var<workgroup> groupSlot : i32;

      // The sum of every invocation's value, returned to all of them.
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

      fn main(index : i32) {
        ${FLAT_WORKGROUP_INDEX}
        let row = workgroupUniformLoad(&groupSlot);
        if (row >= uniforms.rows) { return; }
        let F = uniforms.features;
        let base = row * F;
        var sum = 0.0;
        for (var f = i32(localIndex); f < F; f += ${WORKGROUP}) { sum += x[base + f]; }
        let mean = workgroupSum(sum) / f32(F);
        var squares = 0.0;
        for (var f = i32(localIndex); f < F; f += ${WORKGROUP}) { let c = x[base + f] - mean; squares += c * c; }
        let scale = inverseSqrt(workgroupSum(squares) / f32(F) + uniforms.epsilon);
        for (var f = i32(localIndex); f < F; f += ${WORKGROUP}) {
          result[base + f] = (x[base + f] - mean) * scale * gamma[f] + beta[f];
        }
      }
    `;
  }
}

function layerNorm(args: { inputs: { x: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo }; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { x, gamma, beta } = args.inputs;
  const { epsilon } = args.attrs as { epsilon: number };
  const features = x.shape[x.shape.length - 1];
  const rows = x.shape.reduce((a, b) => a * b, 1) / features;
  return (args.backend as WebGpuBackend).runWebGPUProgram(new LayerNormProgram(x.shape, rows), [x, gamma, beta], 'float32', [
    { type: 'int32', data: [rows] }, { type: 'int32', data: [features] }, { type: 'float32', data: [epsilon] },
  ]);
}

export function registerLayerNorm(): void {
  registerOnce(LAYER_NORM, 'webgpu', layerNorm);
}
