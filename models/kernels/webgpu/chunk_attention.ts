/**
 * CHUNK_ATTENTION on webgpu: BSBR's output (docs/architectures.md section 7) in one dispatch: the
 * causal softmax attention inside each chunk (over its real keys) plus q_t^T G_c, read from and
 * written to the projections' layout [b, n, h*d] (the tf-op form splits and merges the heads with
 * transposes and adds the retrieval term by a product and a sum of its own).
 *
 * One workgroup holds WORKGROUP queries of one chunk of one head, one per invocation (its query row
 * and output accumulator in registers), and walks the chunk's keys up to its last query, KEYS at a
 * time, staged in workgroup memory (the tiled online softmax of causal_attention.ts); then it adds
 * the retrieved state's product, whose rows every invocation reads at once.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from '../register';
import { CHUNK_ATTENTION, KernelArgs } from '../names';
import { dispatch, FLAT_WORKGROUP_INDEX, WebGpuBackend, WORKGROUP } from './program';

const KEYS = 16;

/** WGSL for head size d (a multiple of 4). */
function shader(d: number): string {
  const d4 = d / 4;
  return `
    const KEYS = ${KEYS};
    var<workgroup> tileK : array<vec4<f32>, ${KEYS * d4}>;
    var<workgroup> tileV : array<vec4<f32>, ${KEYS * d4}>;
    var<workgroup> tileReal : array<f32, KEYS>;
    var<workgroup> groupSlot : i32;

    fn load4(at : i32, which : i32) -> vec4<f32> {
      if (which == 0) { return vec4<f32>(queries[at], queries[at + 1], queries[at + 2], queries[at + 3]); }
      if (which == 1) { return vec4<f32>(keys[at], keys[at + 1], keys[at + 2], keys[at + 3]); }
      return vec4<f32>(values[at], values[at + 1], values[at + 2], values[at + 3]);
    }

    fn main(index : i32) {
      let h = uniforms.heads;
      let B = uniforms.chunk;
      let C = uniforms.chunks;
      let width = h * ${d};
      let tiles = (B + ${WORKGROUP - 1}) / ${WORKGROUP};
      ${FLAT_WORKGROUP_INDEX}
      let group = workgroupUniformLoad(&groupSlot);
      if (group >= uniforms.batch * h * C * tiles) { return; }
      let tile = group % tiles;
      let c = (group / tiles) % C;
      let head = (group / (tiles * C)) % h;
      let row = group / (tiles * C * h);
      let lane = i32(localId.x);
      let i = tile * ${WORKGROUP} + lane;
      let real = i < B;
      let start = row * C * B + c * B;
      let token = start + min(i, B - 1);

      var q : array<vec4<f32>, ${d4}>;
      var acc : array<vec4<f32>, ${d4}>;
      for (var a4 = 0; a4 < ${d4}; a4++) {
        q[a4] = load4(token * width + head * ${d} + 4 * a4, 0);
        acc[a4] = vec4<f32>(0.0);
      }
      var runningMax = -3.4e38;
      var total = 0.0;
      // The chunk's keys any query of this tile may see: 0 .. its last query.
      let last = min(B, (tile + 1) * ${WORKGROUP}) - 1;
      for (var s0 = 0; s0 <= last; s0 += KEYS) {
        workgroupBarrier();
        for (var x = lane; x < KEYS * ${d4}; x += ${WORKGROUP}) {
          let s = start + min(s0 + x / ${d4}, B - 1);
          tileK[x] = load4(s * width + head * ${d} + 4 * (x % ${d4}), 1);
          tileV[x] = load4(s * width + head * ${d} + 4 * (x % ${d4}), 2);
        }
        for (var x = lane; x < KEYS; x += ${WORKGROUP}) { tileReal[x] = f32(valid[start + min(s0 + x, B - 1)]); }
        workgroupBarrier();
        if (real) {
          var scores : array<f32, KEYS>;
          var tileMax = -3.4e38;
          for (var j = 0; j < KEYS; j++) {
            let s = s0 + j;
            var dotQK = 0.0;
            for (var a4 = 0; a4 < ${d4}; a4++) { dotQK += dot(q[a4], tileK[j * ${d4} + a4]); }
            scores[j] = select(-3.4e38, dotQK * uniforms.scale, s <= i && tileReal[j] > 0.5);
            tileMax = max(tileMax, scores[j]);
          }
          if (tileMax > -3.0e38) {
            let newMax = max(runningMax, tileMax);
            let rescale = exp(runningMax - newMax);
            total *= rescale;
            for (var a4 = 0; a4 < ${d4}; a4++) { acc[a4] *= rescale; }
            for (var j = 0; j < KEYS; j++) {
              let p = select(0.0, exp(scores[j] - newMax), scores[j] > -3.0e38);
              total += p;
              for (var a4 = 0; a4 < ${d4}; a4++) { acc[a4] += p * tileV[j * ${d4} + a4]; }
            }
            runningMax = newMax;
          }
        }
      }
      if (real) {
        let norm = select(0.0, 1.0 / total, total > 0.0);
        for (var a4 = 0; a4 < ${d4}; a4++) { acc[a4] *= norm; }
        // + exists_c q^T G_c: G_c row a (d values) at ((row h + head) C + c) d^2 + a d.
        let weight = f32(exists[row * C + c]);
        let base = ((row * h + head) * C + c) * ${d * d};
        for (var a4 = 0; a4 < ${d4}; a4++) {
          for (var k = 0; k < 4; k++) {
            let qa = q[a4][k] * weight;
            let at = base + (4 * a4 + k) * ${d};
            for (var e4 = 0; e4 < ${d4}; e4++) {
              acc[e4] += qa * vec4<f32>(retrieved[at + 4 * e4], retrieved[at + 4 * e4 + 1], retrieved[at + 4 * e4 + 2], retrieved[at + 4 * e4 + 3]);
            }
          }
        }
        for (var e4 = 0; e4 < ${d4}; e4++) {
          let at = token * width + head * ${d} + 4 * e4;
          result[at] = acc[e4].x;
          result[at + 1] = acc[e4].y;
          result[at + 2] = acc[e4].z;
          result[at + 3] = acc[e4].w;
        }
      }
    }
  `;
}

function chunkAttention({
  inputs: { q, k, v, valid, retrieved, exists },
  attrs: { heads, chunk, scale },
  backend,
}: KernelArgs<typeof CHUNK_ATTENTION, WebGpuBackend>): tf.TensorInfo {
  const [batch, n, width] = q.shape;
  const d = width / heads;
  const chunks = n / chunk;
  if (
    d % 4 !== 0 ||
    n % chunk !== 0 ||
    retrieved.shape.join() !== [batch, heads, chunks, d * d].join() ||
    exists.shape.join() !== [batch, chunks].join()
  ) {
    throw new Error(
      `${CHUNK_ATTENTION}: heads of a multiple of 4 (got ${d}), n a multiple of the chunk ${chunk} (got ${n}), retrieved [${batch}, ${heads}, ${chunks}, ${d * d}] (got [${retrieved.shape}]), exists [${batch}, ${chunks}] (got [${exists.shape}])`,
    );
  }
  return dispatch(backend, {
    key: `chunkAttention_${d}`,
    inputs: { queries: q, keys: k, values: v, valid, retrieved, exists },
    outputShape: [batch, n, width],
    workgroups: batch * heads * chunks * Math.ceil(chunk / WORKGROUP),
    uniforms: {
      batch: ['i32', batch],
      heads: ['i32', heads],
      chunk: ['i32', chunk],
      chunks: ['i32', chunks],
      scale: ['f32', scale],
    },
    code: () => shader(d),
  });
}

export function registerChunkAttention(): void {
  registerOnce(CHUNK_ATTENTION, 'webgpu', chunkAttention);
}
