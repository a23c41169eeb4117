/**
 * GELU on webgpu: 0.5 x (1 + erf(x / sqrt 2)) in one elementwise dispatch, erf by the same
 * Abramowitz-Stegun formula 7.1.26 (error below 1.5e-7) as TensorFlow.js's own Erf kernel. The
 * stock ops take five dispatches and upload three scalars on every call.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from '../register';
import { GELU } from '../names';
import { WebGpuBackend, WebGpuProgram } from './program';

const WORKGROUP = 64;
const { ERF_P, ERF_A1, ERF_A2, ERF_A3, ERF_A4, ERF_A5 } = tf.backend_util;

class GeluProgram implements WebGpuProgram {
  variableNames = ['x'];
  outputShape: number[];
  shaderKey = 'bsbrGelu';
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  uniforms = '';
  size = true;

  constructor(shape: number[]) {
    this.outputShape = shape;
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = [Math.ceil(shape.reduce((a, b) => a * b, 1) / WORKGROUP), 1, 1];
  }

  getUserCode(): string {
    return `
      fn erf(a : f32) -> f32 {
        let t = 1.0 / (1.0 + ${ERF_P} * abs(a));
        let poly = ((((${ERF_A5} * t + ${ERF_A4}) * t + ${ERF_A3}) * t + ${ERF_A2}) * t + ${ERF_A1}) * t;
        return sign(a) * (1.0 - poly * exp(-a * a));
      }

      fn main(index : i32) {
        if (index < uniforms.size) {
          let v = x[index];
          result[index] = 0.5 * v * (1.0 + erf(v * ${Math.SQRT1_2}));
        }
      }
    `;
  }
}

function gelu(args: { inputs: { x: tf.TensorInfo }; backend: unknown }): tf.TensorInfo {
  const { x } = args.inputs;
  return (args.backend as WebGpuBackend).runWebGPUProgram(new GeluProgram(x.shape), [x], 'float32');
}

export function registerGelu(): void {
  registerOnce(GELU, 'webgpu', gelu);
}
