/**
 * RETRIEVE on webgpu: BSBR's retrieval over earlier chunks (docs/architectures.md section 7) in one
 * dispatch: for each chunk c the softmax of its meta query against the meta keys of the chunks
 * before it, and the mixture of their (compressed) states. The tf-op form makes the scores, the
 * mask, the masked softmax (six ops) and the product as separate dispatches, with the heads split
 * by transposes.
 *
 * One workgroup per (batch row, head, chunk c) walks the earlier chunks j in tiles of WORKGROUP:
 * each invocation scores one j of the tile into workgroup memory, then every invocation takes the
 * tile into its features of the mixture with the online softmax (a running max and sum, rescaled as
 * the max rises; docs/architectures.md, "The online softmax").
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from '../register';
import { KernelArgs, RETRIEVE } from '../names';
import { dispatch, FLAT_WORKGROUP_INDEX, WebGpuBackend, WORKGROUP } from './program';

/** WGSL for head size d and state size S. */
function shader(d: number, S: number): string {
  const perInvocation = Math.ceil(S / WORKGROUP);
  return `
    var<workgroup> tileScores : array<f32, ${WORKGROUP}>;
    var<workgroup> groupSlot : i32;

    fn main(index : i32) {
      let h = uniforms.heads;
      let G = uniforms.queryChunks;
      let J = uniforms.chunks;
      let width = h * ${d};
      ${FLAT_WORKGROUP_INDEX}
      let group = workgroupUniformLoad(&groupSlot);
      if (group >= uniforms.batch * h * G) { return; }
      let g = group % G;
      let head = (group / G) % h;
      let row = group / (G * h);
      let lane = i32(localId.x);
      // Chunk first + g retrieves the chunks before it.
      let seen = min(J, uniforms.first + g);

      var acc : array<f32, ${perInvocation}>;
      for (var f = 0; f < ${perInvocation}; f++) { acc[f] = 0.0; }
      var runningMax = -3.4e38;
      var total = 0.0;
      let queryAt = (row * G + g) * width + head * ${d};
      for (var j0 = 0; j0 < seen; j0 += ${WORKGROUP}) {
        workgroupBarrier();
        let j = j0 + lane;
        var score = -3.4e38;
        if (j < seen) {
          let keyAt = (row * J + j) * width + head * ${d};
          var dotQK = 0.0;
          for (var a = 0; a < ${d}; a++) { dotQK += queries[queryAt + a] * keys[keyAt + a]; }
          score = select(-3.4e38, dotQK * uniforms.scale, f32(exists[row * J + j]) > 0.5);
        }
        tileScores[lane] = score;
        workgroupBarrier();
        let count = min(${WORKGROUP}, seen - j0);
        var tileMax = -3.4e38;
        for (var u = 0; u < count; u++) { tileMax = max(tileMax, tileScores[u]); }
        if (tileMax > -3.0e38) {
          let newMax = max(runningMax, tileMax);
          let rescale = exp(runningMax - newMax);
          total *= rescale;
          for (var f = 0; f < ${perInvocation}; f++) { acc[f] *= rescale; }
          for (var u = 0; u < count; u++) {
            let p = select(0.0, exp(tileScores[u] - newMax), tileScores[u] > -3.0e38);
            total += p;
            let stateAt = ((row * h + head) * J + j0 + u) * ${S};
            for (var f = 0; f < ${perInvocation}; f++) {
              let feature = lane + f * ${WORKGROUP};
              if (feature < ${S}) { acc[f] += p * states[stateAt + feature]; }
            }
          }
          runningMax = newMax;
        }
      }
      let norm = select(0.0, 1.0 / total, total > 0.0);
      let outAt = ((row * h + head) * G + g) * ${S};
      for (var f = 0; f < ${perInvocation}; f++) {
        let feature = lane + f * ${WORKGROUP};
        if (feature < ${S}) { result[outAt + feature] = acc[f] * norm; }
      }
    }
  `;
}

function retrieve({
  inputs: { queries, keys, states, exists },
  attrs: { heads, first, scale },
  backend,
}: KernelArgs<typeof RETRIEVE, WebGpuBackend>): tf.TensorInfo {
  const [batch, G, width] = queries.shape;
  const [, , J, S] = states.shape;
  const d = width / heads;
  if (keys.shape.join() !== [batch, J, width].join() || exists.shape.join() !== [batch, J].join()) {
    throw new Error(
      `${RETRIEVE}: meta keys [${batch}, ${J}, ${width}] and existence [${batch}, ${J}] expected (got [${keys.shape}] and [${exists.shape}])`,
    );
  }
  return dispatch(backend, {
    key: `retrieve_${d}_${S}`,
    inputs: { queries, keys, states, exists },
    outputShape: [batch, heads, G, S],
    workgroups: batch * heads * G,
    uniforms: {
      batch: ['i32', batch],
      heads: ['i32', heads],
      queryChunks: ['i32', G],
      chunks: ['i32', J],
      first: ['i32', first],
      scale: ['f32', scale],
    },
    code: () => shader(d, S),
  });
}

export function registerRetrieve(): void {
  registerOnce(RETRIEVE, 'webgpu', retrieve);
}
