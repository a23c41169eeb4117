/** The agreement tests every chunked architecture shares: its efficient forward against the naive formula. */
import { ModelConfig } from '../config';
import { CausalLM } from '../model';
import { forwardArray, maskWhere, randomIds, TINY, withModel } from './harness';
import { naiveModelForward, NaiveAttention, relativeError } from '../ops/reference/arrays';

/** Lengths that are and are not multiples of TINY's chunk (4). */
export const TINY_LENGTHS = [1, 3, 4, 9, 16, 17];

/**
 * Padding for 3 rows of n = 18 tokens in chunks of 4: row 0 a fully masked first chunk, row 1 holes
 * inside chunks and a masked tail, row 2 a masked middle chunk.
 */
export function chunkEdgeMask(n = 18): number[][] {
  return maskWhere(
    3,
    n,
    (b, t) => (b === 0 && t < 4) || (b === 1 && (t % 3 === 1 || t >= 15)) || (b === 2 && t >= 8 && t < 12),
  );
}

/** The relative error of the efficient forward against the naive whole-model formula, at real positions. */
export async function naiveError(
  model: CausalLM,
  ids: number[][],
  mask: number[][] | null,
  attention: NaiveAttention,
): Promise<number> {
  const real = mask ? (b: number, t: number) => mask[b][t] === 1 : undefined;
  const efficient = await forwardArray(model, ids, mask ?? undefined);
  return relativeError(efficient, await naiveModelForward(model, ids, mask, attention), real);
}

/** Registers the shared tests: TINY_LENGTHS without a mask, and the chunk-edge padding mask (within 1e-4). */
export function itAgreesWithNaive(
  name: string,
  attention: NaiveAttention,
  variant: Partial<ModelConfig> = {},
  label = '',
): void {
  const config = { ...TINY, ...variant };
  it.each(TINY_LENGTHS)(`n=%i${label}`, async (n) => {
    await withModel(name, config, async (model) =>
      expect(await naiveError(model, randomIds(2, n, 50, n), null, attention)).toBeLessThan(1e-4),
    );
  });
  it(`with a padding mask (a fully masked first chunk, holes inside chunks, a masked tail, a masked middle chunk)${label}`, async () => {
    await withModel(name, config, async (model) =>
      expect(await naiveError(model, randomIds(3, 18, 50, 99), chunkEdgeMask(), attention)).toBeLessThan(1e-4),
    );
  });
}
