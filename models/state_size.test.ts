import * as tf from '@tensorflow/tfjs-core';
import { resolveConfig } from './config';
import { DecodeState } from './model';
import { MODEL_NAMES } from './registry';
import { decodeStateFloats } from './state_size';
import { randomIds, TINY, useDefaultBackend, withModel } from './testing/harness';

useDefaultBackend();

/** Every tensor reachable from a decode state (its layers' fields, arrays of blocks included), counted once. */
function stateTensors(state: DecodeState): tf.Tensor[] {
  const found = new Set<tf.Tensor>();
  const walk = (value: unknown): void => {
    if (value instanceof tf.Tensor) found.add(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(state.layers);
  return [...found];
}

/** Lengths around the chunk (4) and window (3) of TINY: before, at and past a boundary, several chunks. */
const LENGTHS = [1, 3, 4, 5, 8, 11];

describe('decodeStateFloats equals the floats the real decode state holds after L tokens', () => {
  const configs = [
    ['TINY', TINY],
    ['TINY with compression', { ...TINY, compressionFactor: 2 }],
    ['TINY, 4 heads, expansion 3', { ...TINY, numHeads: 4, expansionFactor: 3 }],
  ] as const;
  describe.each(configs)('%s', (_, partial) => {
    it.each(MODEL_NAMES.map((m) => [m]))('%s', async (name) => {
      const config = resolveConfig(partial);
      await withModel(name, config, async (model) => {
        const ids = randomIds(1, Math.max(...LENGTHS), config.vocabSize, 5)[0];
        const state = model.initState(1);
        try {
          expect(stateTensors(state).reduce((s, t) => s + t.size, 0)).toBe(decodeStateFloats(name, config, 0));
          let at = 0;
          for (const L of LENGTHS) {
            // Steps of different sizes (one token, several, across a chunk boundary).
            model.step(state, [ids.slice(at, L)]).hidden.dispose();
            at = L;
            const held = stateTensors(state).reduce((s, t) => s + t.size, 0);
            expect({ L, floats: held }).toEqual({ L, floats: decodeStateFloats(name, config, L) });
          }
        } finally {
          model.disposeState(state);
        }
      });
    });
  });

  it('grows with L for softmax attention and is bounded for the recurrent forms', () => {
    const config = resolveConfig({ hiddenDim: 64, numHeads: 4, numLayers: 2, chunkSize: 32, windowSize: 32 });
    const at = (name: string, L: number) => decodeStateFloats(name, config, L);
    expect(at('Standard', 256)).toBe(2 * 2 * 256 * 64);
    expect(at('SlidingWindow', 256)).toBe(2 * 2 * 32 * 64);
    expect(at('Linear', 256)).toBe(at('Linear', 64));
    expect(at('DeltaNet', 256)).toBe(2 * 64 * 16);
    expect(() => decodeStateFloats('Mamba', config, 4)).toThrow("no decode-state size for model 'Mamba'");
  });
});
