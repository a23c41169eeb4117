/**
 * CHUNK_STATES on webgpu: every chunk's state F_c = K_c^T V_c for every head in one dispatch, read
 * straight from the projections [b, n, h*d] (the tf-op form splits the heads with a transpose of q,
 * k and v, reshapes into chunks and runs a batched product). One invocation per entry F_c[a, e]
 * sums k_s[a] v_s[e] over the chunk's tokens; a workgroup's invocations share a and read consecutive e.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from '../register';
import { CHUNK_STATES, KernelArgs } from '../names';
import { dispatch, WebGpuBackend, workgroupsFor } from './program';

const CODE = `
  fn main(index : i32) {
    let h = uniforms.heads;
    let d = uniforms.headSize;
    let B = uniforms.chunk;
    let C = uniforms.chunks;
    if (index >= uniforms.batch * h * C * d * d) { return; }
    let e = index % d;
    let a = (index / d) % d;
    let c = (index / (d * d)) % C;
    let head = (index / (d * d * C)) % h;
    let row = index / (d * d * C * h);
    let width = h * d;
    var total = 0.0;
    for (var s = 0; s < B; s++) {
      let at = (row * C * B + c * B + s) * width + head * d;
      total += keys[at + a] * values[at + e];
    }
    result[index] = total;
  }
`;

function chunkStates({
  inputs: { k, v },
  attrs: { heads, chunk },
  backend,
}: KernelArgs<typeof CHUNK_STATES, WebGpuBackend>): tf.TensorInfo {
  const [batch, n, width] = k.shape;
  const d = width / heads;
  if (n % chunk !== 0 || v.shape.join() !== k.shape.join())
    throw new Error(
      `${CHUNK_STATES}: k and v [b, n, h*d] of one shape with n a multiple of the chunk ${chunk} (got [${k.shape}] and [${v.shape}])`,
    );
  const chunks = n / chunk;
  return dispatch(backend, {
    key: 'chunkStates',
    inputs: { keys: k, values: v },
    outputShape: [batch, heads, chunks, d * d],
    workgroups: workgroupsFor(batch * heads * chunks * d * d),
    uniforms: {
      batch: ['i32', batch],
      heads: ['i32', heads],
      headSize: ['i32', d],
      chunk: ['i32', chunk],
      chunks: ['i32', chunks],
    },
    code: () => CODE,
  });
}

export function registerChunkStates(): void {
  registerOnce(CHUNK_STATES, 'webgpu', chunkStates);
}
