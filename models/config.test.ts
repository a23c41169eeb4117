/** resolveConfig's bounds: every knob within a range stated in the message, refused before anything is built. */
import { ConfigError, resolveConfig } from './config';

const refusal = (config: object): string => {
  try {
    resolveConfig(config);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`${JSON.stringify(config)} was accepted`);
};

test('every size knob has a maximum, named with its value', () => {
  expect(refusal({ chunkSize: 100_000 })).toBe(
    'invalid config: chunkSize must be an integer in [1, 65536] (got 100000)',
  );
  expect(refusal({ chunkSize: 2 ** 31 })).toMatch(/^invalid config: chunkSize must be an integer in \[1, 65536\]/);
  expect(refusal({ ffDim: 2 ** 31 })).toMatch(/^invalid config: ffDim must be an integer in \[1, 1048576\]/);
  expect(refusal({ hiddenDim: 9007199254740993 })).toMatch(
    /^invalid config: hiddenDim must be an integer in \[1, 16384\]/,
  );
  expect(refusal({ numLayers: 5000 })).toMatch(/^invalid config: numLayers must be an integer in \[1, 1024\]/);
  expect(refusal({ updateSteps: 1e6 })).toMatch(/^invalid config: updateSteps must be an integer in \[1, 1024\]/);
});

test('a weight past 2^28 values (1 GiB of float32) is refused by the knob that makes it, before it is allocated', () => {
  expect(refusal({ vocabSize: 2 ** 20, hiddenDim: 1024, numHeads: 4 })).toBe(
    'invalid config: vocabSize 1048576 with hiddenDim 1024 makes a weight of 1073741824 values; at most 268435456 (2^28) fit a backend',
  );
  expect(refusal({ ffDim: 2 ** 20, hiddenDim: 1024, numHeads: 4 })).toMatch(
    /^invalid config: ffDim 1048576 with hiddenDim 1024 makes a weight of/,
  );
  expect(refusal({ expansionFactor: 64, hiddenDim: 4096, numHeads: 4 })).toMatch(
    /^invalid config: expansionFactor 64 with hiddenDim 4096 makes a weight of/,
  );
});

test("seeds are integers in [0, 2^32), the generator's range: no two seeds give the same weights", () => {
  for (const seed of [-1, 2 ** 32, 1e300, 2 ** 53 + 2, 0.5])
    expect(refusal({ seed })).toBe(
      `invalid config: seed must be an integer in [0, 4294967295] (got ${JSON.stringify(seed)})`,
    );
  expect(resolveConfig({ seed: 2 ** 32 - 1 }).seed).toBe(2 ** 32 - 1);
});

test("Hopfield's temperature stays where 1 / (temperature sqrt(d)) is finite in float32 (1e-300 gave NaN everywhere)", () => {
  expect(refusal({ temperature: 1e-300 })).toBe(
    'invalid config: temperature must be a number in [0.000001, 1000000] (got 1e-300)',
  );
  expect(refusal({ temperature: 1e300 })).toMatch(/^invalid config: temperature must be a number in/);
  expect(resolveConfig({ temperature: 1e-6 }).temperature).toBe(1e-6);
});
