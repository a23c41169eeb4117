/**
 * DENSE on webgpu: a dense layer with what surrounds it in the skeleton in one dispatch: the
 * LayerNorm before it (each workgroup normalises its rows as it loads them), the bias and GELU after
 * it and the residual add. Unfused these are a LayerNorm, the product, the GELU and the add, each a
 * dispatch that writes and rereads the [rows, features] tensor.
 *
 * One workgroup computes a TILE x TILE block of the output, each invocation a 4 x 4 part of it in
 * registers, walking the inner axis TILE at a time through tiles of both operands in workgroup
 * memory, held in fours (vec4) so that each step reads 4 floats at once from each.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from '../register';
import { DENSE, KernelArgs } from '../names';
import { GELU_WGSL } from './gelu';
import { dispatch, FLAT_WORKGROUP_INDEX, WebGpuBackend, WORKGROUP } from './program';

/** Output rows and columns per workgroup: WORKGROUP invocations of 4 x 4 each. */
const TILE = 32;
const PER_ROW = TILE / 4;

/** WGSL for the given prologue and epilogue. */
function shader(addend: boolean, norm: boolean, gelu: boolean, residuals: number): string {
  const input = (at: string) => (addend ? `(x[${at}] + addend[${at}])` : `x[${at}]`);
  return `
    ${gelu ? GELU_WGSL : ''}
    // The operands' tiles in fours along a row: A's [TILE rows][TILE / 4 fours of the inner axis],
    // B's [TILE of the inner axis][TILE / 4 fours of columns].
    var<workgroup> tileA : array<vec4<f32>, ${(TILE * TILE) / 4}>;
    var<workgroup> tileB : array<vec4<f32>, ${(TILE * TILE) / 4}>;
    ${norm ? `var<workgroup> partials : array<f32, ${TILE * WORKGROUP}>;` : ''}
    var<workgroup> rowMean : array<f32, ${TILE}>;
    var<workgroup> rowScale : array<f32, ${TILE}>;
    var<workgroup> groupSlot : i32;

    // A's element (row, k) of tile row r, normalised, zero outside [M, K).
    fn loadA(row : i32, r : i32, k : i32) -> f32 {
      let M = uniforms.rows;
      let K = uniforms.inner;
      var value = ${input('min(row, M - 1) * K + min(k, K - 1)')};
      ${norm ? 'value = (value - rowMean[r]) * rowScale[r] * gamma[min(k, K - 1)] + beta[min(k, K - 1)];' : ''}
      return select(0.0, value, row < M && k < K);
    }

    // B's element (k, col), zero outside [K, N).
    fn loadB(k : i32, col : i32) -> f32 {
      let K = uniforms.inner;
      let N = uniforms.cols;
      return select(0.0, weight[min(k, K - 1) * N + min(col, N - 1)], k < K && col < N);
    }

    fn main(index : i32) {
      ${FLAT_WORKGROUP_INDEX}
      let group = workgroupUniformLoad(&groupSlot);
      let M = uniforms.rows;
      let K = uniforms.inner;
      let N = uniforms.cols;
      let colTiles = (N + ${TILE - 1}) / ${TILE};
      if (group >= ((M + ${TILE - 1}) / ${TILE}) * colTiles) { return; }
      let row0 = (group / colTiles) * ${TILE};
      let col0 = (group % colTiles) * ${TILE};
      let t = i32(localIndex);
      let tr = (t / ${PER_ROW}) * 4;
      let tc = t % ${PER_ROW};
      ${
        norm
          ? `
      // The LayerNorm statistics of the tile's rows, two passes as LAYER_NORM: every invocation
      // reads a strided part of each row (contiguous across invocations), then one sums each row's parts.
      for (var r = 0; r < ${TILE}; r++) {
        let base = min(row0 + r, M - 1) * K;
        var part = 0.0;
        for (var k = t; k < K; k += ${WORKGROUP}) { part += ${input('base + k')}; }
        partials[r * ${WORKGROUP} + t] = part;
      }
      workgroupBarrier();
      if (t < ${TILE}) {
        var sum = 0.0;
        for (var j = 0; j < ${WORKGROUP}; j++) { sum += partials[t * ${WORKGROUP} + j]; }
        rowMean[t] = sum / f32(K);
      }
      workgroupBarrier();
      for (var r = 0; r < ${TILE}; r++) {
        let base = min(row0 + r, M - 1) * K;
        let mean = rowMean[r];
        var part = 0.0;
        for (var k = t; k < K; k += ${WORKGROUP}) { let c = ${input('base + k')} - mean; part += c * c; }
        partials[r * ${WORKGROUP} + t] = part;
      }
      workgroupBarrier();
      if (t < ${TILE}) {
        var squares = 0.0;
        for (var j = 0; j < ${WORKGROUP}; j++) { squares += partials[t * ${WORKGROUP} + j]; }
        rowScale[t] = inverseSqrt(squares / f32(K) + uniforms.epsilon);
      }`
          : ''
      }
      var acc : array<vec4<f32>, 4>;
      for (var i = 0; i < 4; i++) { acc[i] = vec4<f32>(0.0); }
      for (var k0 = 0; k0 < K; k0 += ${TILE}) {
        workgroupBarrier();
        for (var e = t; e < ${(TILE * TILE) / 4}; e += ${WORKGROUP}) {
          let r = e / ${PER_ROW};
          let offset = (e % ${PER_ROW}) * 4;
          let k = k0 + offset;
          let row = row0 + r;
          tileA[e] = vec4<f32>(loadA(row, r, k), loadA(row, r, k + 1), loadA(row, r, k + 2), loadA(row, r, k + 3));
          let kb = k0 + r;
          let col = col0 + offset;
          tileB[e] = vec4<f32>(loadB(kb, col), loadB(kb, col + 1), loadB(kb, col + 2), loadB(kb, col + 3));
        }
        workgroupBarrier();
        // Four steps of the inner axis at a time: four of B's rows and one four of each of A's rows.
        for (var kk = 0; kk < ${PER_ROW}; kk++) {
          let b0 = tileB[(4 * kk) * ${PER_ROW} + tc];
          let b1 = tileB[(4 * kk + 1) * ${PER_ROW} + tc];
          let b2 = tileB[(4 * kk + 2) * ${PER_ROW} + tc];
          let b3 = tileB[(4 * kk + 3) * ${PER_ROW} + tc];
          for (var i = 0; i < 4; i++) {
            let a = tileA[(tr + i) * ${PER_ROW} + kk];
            acc[i] += a.x * b0 + a.y * b1 + a.z * b2 + a.w * b3;
          }
        }
      }
      for (var i = 0; i < 4; i++) {
        let row = row0 + tr + i;
        if (row >= M) { break; }
        for (var j = 0; j < 4; j++) {
          let col = col0 + 4 * tc + j;
          if (col < N) {
            var value = acc[i][j] + bias[col];
            ${gelu ? 'value = gelu(value);' : ''}
            ${residuals > 0 ? 'value += residual[row * N + col];' : ''}
            ${residuals > 1 ? 'value += residualAddend[row * N + col];' : ''}
            result[row * N + col] = value;
          }
        }
      }
    }
  `;
}

function dense({
  inputs: { x, weight, bias, addend, gamma, beta, residual, residualAddend },
  attrs: { activation, epsilon },
  backend,
}: KernelArgs<typeof DENSE, WebGpuBackend>): tf.TensorInfo {
  const [K, N] = weight.shape;
  if (
    x.shape[x.shape.length - 1] !== K ||
    (gamma === undefined) !== (beta === undefined) ||
    (residualAddend !== undefined && residual === undefined)
  ) {
    throw new Error(
      `${DENSE}: cannot apply a [${weight.shape}] layer to [${x.shape}]${gamma === undefined ? '' : ' with a LayerNorm'}`,
    );
  }
  const given = [addend, gamma, beta, residual, residualAddend].filter((t) => t !== undefined).length;
  // The backend asks for WebGPU's default of 8 storage buffers per stage: the output and 7 inputs.
  if (given > 4)
    throw new Error(
      `${DENSE}: at most 7 inputs bind (x, weight, bias and 4 of addend, gamma, beta, residual, residualAddend)`,
    );
  const M = tf.util.sizeFromShape(x.shape) / K;
  const norm = gamma !== undefined && beta !== undefined;
  const gelu = activation === 'gelu';
  const residuals = (residual ? 1 : 0) + (residualAddend ? 1 : 0);
  return dispatch(backend, {
    key: `dense_${addend !== undefined}_${norm}_${gelu}_${residuals}`,
    inputs: {
      x,
      weight,
      bias,
      ...(addend ? { addend } : {}),
      ...(norm ? { gamma, beta } : {}),
      ...(residual ? { residual } : {}),
      ...(residualAddend ? { residualAddend } : {}),
    },
    outputShape: [...x.shape.slice(0, -1), N],
    workgroups: Math.ceil(M / TILE) * Math.ceil(N / TILE),
    uniforms: { rows: ['i32', M], inner: ['i32', K], cols: ['i32', N], epsilon: ['f32', epsilon] },
    code: () => shader(addend !== undefined, norm, gelu, residuals),
  });
}

export function registerDense(): void {
  registerOnce(DENSE, 'webgpu', dense);
}
