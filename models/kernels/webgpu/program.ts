import * as tf from '@tensorflow/tfjs-core';

/**
 * The part of TensorFlow.js webgpu's WebGPUProgram that this package's kernels fill. The backend
 * writes the bindings (`result` and one array per variable name), the `uniforms` struct (input and
 * output shapes, then the program's own fields) and the entry point, which calls `main(index)`.
 */
export interface WebGpuProgram {
  variableNames: string[];
  /** Components per element of each input binding (4: arrays of vec4<f32>). */
  variableComponents?: number[];
  outputComponent?: number;
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  /** The program's own uniform fields, WGSL struct syntax. */
  uniforms: string;
  /** Whether the backend adds `size` (the output's element count) to the uniforms. */
  size?: boolean;
  getUserCode(): string;
}

/** What a kernel function needs of the webgpu backend. */
export interface WebGpuBackend {
  runWebGPUProgram(program: WebGpuProgram, inputs: tf.TensorInfo[], dtype: tf.DataType, uniforms?: Array<{ type: string; data: number[] }>): tf.TensorInfo;
}

/** WGSL: sets `groupSlot` (declare `var<workgroup> groupSlot : i32;`) to this workgroup's flat index. */
export const FLAT_WORKGROUP_INDEX = `
  // The workgroup's flat index, made provably uniform (the backend keeps the builtins in private
  // variables, which WGSL's uniformity analysis does not trust) so that barriers may follow it.
  if (localIndex == 0u) {
    groupSlot = i32(workgroupId.z * numWorkgroups.x * numWorkgroups.y + workgroupId.y * numWorkgroups.x + workgroupId.x);
  }
`;
