/**
 * EMBEDDING on webgpu: the token rows gathered and the sinusoidal positions added in one elementwise
 * dispatch, each position taken by angle addition from the two small tables (models/positional.ts).
 * The stock ops take a gather, the table's dozen products, sums, stack and slice, and the add.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from '../register';
import { EMBEDDING, KernelArgs } from '../names';
import { dispatch, WebGpuBackend, workgroupsFor } from './program';

/** Positions per coarse step of the tables (models/positional.ts). */
const BLOCK = 1024;

const CODE = `
  fn main(index : i32) {
    let D = uniforms.dim;
    if (index >= uniforms.count) { return; }
    let token = index / D;
    let f = index % D;
    let t = token % uniforms.length;
    let half = uniforms.half;
    let i = f / 2;
    let a = (t / ${BLOCK}) * 2 * half + i;
    let r = (t % ${BLOCK}) * 2 * half + i;
    let sa = coarse[a];
    let ca = coarse[a + half];
    let sr = fine[r];
    let cr = fine[r + half];
    let position = select(ca * cr - sa * sr, sa * cr + ca * sr, f % 2 == 0);
    result[index] = table[ids[token] * D + f] + position;
  }
`;

function embedding({
  inputs: { ids, table, coarse, fine },
  backend,
}: KernelArgs<typeof EMBEDDING, WebGpuBackend>): tf.TensorInfo {
  const [b, n] = ids.shape;
  const dim = table.shape[1];
  return dispatch(backend, {
    key: 'embedding',
    inputs: { ids, table, coarse, fine },
    outputShape: [b, n, dim],
    workgroups: workgroupsFor(b * n * dim),
    uniforms: { count: ['i32', b * n * dim], dim: ['i32', dim], length: ['i32', n], half: ['i32', coarse.shape[2]] },
    code: () => CODE,
  });
}

export function registerEmbedding(): void {
  registerOnce(EMBEDDING, 'webgpu', embedding);
}
