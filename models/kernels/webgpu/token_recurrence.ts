/**
 * WGSL shared by the programs that walk a layer's tokens, one workgroup per (batch row, head) and
 * one invocation per feature of the head (delta_rule.ts, delta_rule_grad.ts, linear_attention.ts).
 * Their bindings name `queries` and `keys` ([batch, n, h d]); their uniforms hold `batch`, `tokens`
 * and `heads`; they declare `groupSlot` (FLAT_WORKGROUP_INDEX) and, for head size d, tiles of TOKENS
 * tokens such as `tileQ` and `tileK` (`array<vec4<f32>, TOKENS * d / 4>`).
 */
import { FLAT_WORKGROUP_INDEX, WORKGROUP } from './program';

/**
 * WGSL: the start of `main` for head size d. Defines n, h, width (h d), row, head, c (this
 * invocation's feature) and owner (c < d); returns from workgroups past the last (row, head).
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

/** A tile to stage: its workgroup array, the binding it reads ([batch, rows, h d]) and rows, a WGSL expression. */
export interface TokenRows {
  tile: string;
  binding: string;
  rows: string;
}

/**
 * WGSL: stages this head's features of tokens t0 .. t0 + TOKENS - 1 (the last token repeated past
 * n) of each binding into its tile, each vec4 passed through `map` (a WGSL function name, or '').
 */
export function stageTokenRows(d: number, tiles: readonly TokenRows[], map = ''): string {
  const d4 = d / 4;
  return `
        for (var x = c; x < TOKENS * ${d4}; x += ${WORKGROUP}) {
          let t = min(t0 + x / ${d4}, n - 1);
          ${tiles
            .map(
              ({ tile, binding, rows }) => `{
            let at = (row * (${rows}) + t) * width + head * ${d} + 4 * (x % ${d4});
            ${tile}[x] = ${map}(vec4<f32>(${binding}[at], ${binding}[at + 1], ${binding}[at + 2], ${binding}[at + 3]));
          }`,
            )
            .join('\n          ')}
        }`;
}

/** The q and k of a walk's tokens into tileQ and tileK. */
export const QUERY_KEY_ROWS: readonly TokenRows[] = [
  { tile: 'tileQ', binding: 'queries', rows: 'n' },
  { tile: 'tileK', binding: 'keys', rows: 'n' },
];

/** WGSL: stages the q and k of tokens t0 .. t0 + TOKENS - 1 into tileQ and tileK (see stageTokenRows). */
export function stageQueryKeyTile(d: number, map: string): string {
  return stageTokenRows(d, QUERY_KEY_ROWS, map);
}
