import { naiveLinear } from './ops/reference/linear';
import { chunksPerGroup } from './ops/scan';
import { naiveError } from './testing/agreement';
import { maskWhere, randomIds, TINY, useDefaultBackend, withModel } from './testing/harness';

useDefaultBackend();

describe('Linear across groups of chunks', () => {
  it('carries the state across groups (batch groupRows/128: groups of 128 tokens; n = 150, holes at the boundary)', async () => {
    const config = { ...TINY, numLayers: 1 };
    await withModel('Linear', config, async (model) => {
      const [batch, n] = [model.plan.groupRows / 128, 150];
      expect(chunksPerGroup(model.plan.groupRows, batch, config.chunkSize!) * config.chunkSize!).toBeLessThan(n);
      const ids = randomIds(batch, n, 50, 8);
      const mask = maskWhere(
        batch,
        n,
        (b, t) => (b % 3 === 0 && t >= 125 && t < 133) || (b % 5 === 1 && t % 7 === 3) || (b % 4 === 2 && t < 4),
      );
      expect(await naiveError(model, ids, mask, naiveLinear)).toBeLessThan(1e-4);
    });
  });
});
