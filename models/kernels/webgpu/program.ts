import * as tf from '@tensorflow/tfjs-core';

/** Invocations per workgroup of every program here (one flat row of them). */
export const WORKGROUP = 64;

/**
 * The part of TensorFlow.js webgpu's WebGPUProgram that this package's kernels fill. The backend
 * writes the bindings (`result` and one array per variable name), the `uniforms` struct (input and
 * output shapes, then the program's own fields) and the entry point, which calls `main(index)` with
 * the flat invocation index; it folds a dispatch wider than the device allows into y and z.
 */
interface WebGpuProgram {
  variableNames: string[];
  variableComponents?: number[];
  outputComponent?: number;
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms: string;
  size?: boolean;
  /** The output bound as array<atomic<i32>> (float sums by compare-exchange on the bits). */
  atomic?: boolean;
  getUserCode(): string;
}

/** What a kernel function needs of the webgpu backend. */
export interface WebGpuBackend {
  runWebGPUProgram(
    program: WebGpuProgram,
    inputs: tf.TensorInfo[],
    dtype: tf.DataType,
    uniforms?: Array<{ type: string; data: number[] }>,
    output?: tf.TensorInfo,
  ): tf.TensorInfo;
  /** Frees an intermediate a kernel function made and does not return. */
  disposeData(dataId: tf.TensorInfo['dataId']): boolean;
}

/** A uniform of a program: its WGSL type and this call's value. */
export type Uniform = ['i32' | 'u32' | 'f32', number];

/** The backend's name of each uniform type (the array it writes the value through). */
const UNIFORM_TYPES: Record<Uniform[0], string> = { i32: 'int32', u32: 'uint32', f32: 'float32' };

/** One dispatch of a program of this package: what differs from program to program. */
export interface Dispatch {
  /** Names the WGSL: every value the code is built from (sizes baked in as constants) must be in it. */
  key: string;
  /** The inputs by binding name, in binding order. */
  inputs: Record<string, tf.TensorInfo>;
  outputShape: number[];
  /** Workgroups to launch, counted flat (workgroupsFor). */
  workgroups: number;
  /** The program's own uniforms, by name, in order; values may change from call to call under one key. */
  uniforms?: Record<string, Uniform>;
  /** 4: inputs and output bound as arrays of vec4<f32> (every size a multiple of 4); 1 by default. */
  components?: 1 | 4;
  /** WGSL defining `fn main(index : i32)` (and whatever it calls), WORKGROUP invocations per workgroup. */
  code: () => string;
  /** Adds into this tensor (of outputShape), bound as array<atomic<i32>>, instead of writing a new one. */
  addInto?: tf.TensorInfo;
}

/** Workgroups that cover `invocations` (the flat dispatch of TF.js's flatDispatchLayout and computeDispatch). */
export function workgroupsFor(invocations: number): number {
  return Math.ceil(invocations / WORKGROUP);
}

/** Runs one dispatch on the webgpu backend and returns its float32 output. */
export function dispatch(backend: WebGpuBackend, spec: Dispatch): tf.TensorInfo {
  const names = Object.keys(spec.inputs);
  const uniforms = Object.entries(spec.uniforms ?? {});
  const components = spec.components ?? 1;
  const program: WebGpuProgram = {
    variableNames: names,
    variableComponents: names.map(() => components),
    outputComponent: components,
    outputShape: spec.outputShape,
    shaderKey: `bsbr_${spec.key}`,
    dispatchLayout: { x: spec.outputShape.map((_, i) => i) },
    dispatch: [spec.workgroups, 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    uniforms: uniforms.map(([name, [type]]) => `${name} : ${type},`).join(' '),
    atomic: spec.addInto !== undefined,
    getUserCode: spec.code,
  };
  return backend.runWebGPUProgram(
    program,
    names.map((name) => spec.inputs[name]),
    'float32',
    uniforms.map(([, [type, value]]) => ({ type: UNIFORM_TYPES[type], data: [value] })),
    spec.addInto,
  );
}

/** WGSL: sets `groupSlot` (declare `var<workgroup> groupSlot : i32;`) to this workgroup's flat index. */
export const FLAT_WORKGROUP_INDEX = `
  // The workgroup's flat index, made provably uniform (the backend keeps the builtins in private
  // variables, which WGSL's uniformity analysis does not trust) so that barriers may follow it.
  if (localIndex == 0u) {
    groupSlot = i32(workgroupId.z * numWorkgroups.x * numWorkgroups.y + workgroupId.y * numWorkgroups.x + workgroupId.x);
  }
`;
