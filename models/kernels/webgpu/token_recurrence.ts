/**
 * WGSL shared by the programs that walk a layer's tokens in order, one workgroup per (batch row,
 * head) and one invocation per value feature c of the head (delta_rule.ts, linear_attention.ts).
 * Their bindings name `queries` and `keys` ([batch, n, h d]); their uniforms hold `batch`, `tokens`
 * and `heads`; they declare `groupSlot` (FLAT_WORKGROUP_INDEX) and, for head size d, the tiles
 * `tileQ` and `tileK` of TOKENS tokens (`array<vec4<f32>, TOKENS * d / 4>`).
 */
import { FLAT_WORKGROUP_INDEX, WORKGROUP } from './program';

/**
 * WGSL: the start of `main` for head size d. Defines n, h, width (h d), row, head, c (this
 * invocation's value feature) and owner (c < d); returns from workgroups past the last (row, head).
 */
export function headWalkStart(d: number): string {
  return `
      let n = uniforms.tokens;
      let h = uniforms.heads;
      let width = h * ${d};
      ${FLAT_WORKGROUP_INDEX}
      let group = workgroupUniformLoad(&groupSlot);
      if (group >= uniforms.batch * h) { return; }
      let row = group / h;
      let head = group % h;
      let c = i32(localId.x);
      let owner = c < ${d};`;
}

/**
 * WGSL: stages the q and k of tokens t0 .. t0 + TOKENS - 1 (the last token repeated past n) into
 * tileQ and tileK, each vec4 passed through `map` (a WGSL function name, or '' for none).
 */
export function stageQueryKeyTile(d: number, map: string): string {
  const d4 = d / 4;
  return `
        for (var x = c; x < TOKENS * ${d4}; x += ${WORKGROUP}) {
          let t = min(t0 + x / ${d4}, n - 1);
          let at = (row * n + t) * width + head * ${d} + 4 * (x % ${d4});
          tileQ[x] = ${map}(vec4<f32>(queries[at], queries[at + 1], queries[at + 2], queries[at + 3]));
          tileK[x] = ${map}(vec4<f32>(keys[at], keys[at + 1], keys[at + 2], keys[at + 3]));
        }`;
}
