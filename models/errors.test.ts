/** What the library refuses is an InputError naming the field (the command line's exit 2), and a failed build leaks nothing. */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from './config';
import { InputError } from './errors';
import { projectionRow } from './attention';
import { CausalLM } from './model';
import { createModel } from './registry';
import { StandardAttention } from './standard';
import { liveTensors, TINY, useDefaultBackend, withModel } from './testing/harness';

useDefaultBackend();

const thrown = (run: () => unknown): Error => {
  try {
    run();
  } catch (err) {
    return err as Error;
  }
  throw new Error('nothing was thrown');
};

test("createModel('nope') names the valid models in an InputError", () => {
  const err = thrown(() => createModel('nope'));
  expect(err).toBeInstanceOf(InputError);
  expect(err.message).toMatch(/^unknown model 'nope' \(valid: BSBR, /);
});

test('a disposed ids tensor, or setWeights(null), is an InputError naming the argument', async () => {
  await withModel('Standard', TINY, (model) => {
    const ids = tf.tensor2d([[1, 2]], [1, 2], 'int32');
    ids.dispose();
    expect(thrown(() => model.forward(ids))).toEqual(new InputError('inputIds', 'inputIds is a disposed tensor'));
    expect(thrown(() => model.step(model.initState(1), ids))).toEqual(
      new InputError('inputIds', 'inputIds is a disposed tensor'),
    );
    const mask = tf.ones([1, 2]) as tf.Tensor2D;
    mask.dispose();
    expect(thrown(() => model.forward([[1, 2]], mask))).toEqual(
      new InputError('attentionMask', 'attentionMask is a disposed tensor'),
    );
    for (const weights of [null, undefined, 5, 'w']) {
      const err = thrown(() => model.setWeights(weights as never));
      expect(err).toBeInstanceOf(InputError);
      expect(err.message).toMatch(/^weights must be a Map or an object of tensors by name \(got /);
    }
  });
});

test('a constructor that fails part-way frees every weight it made and throws a ConfigError', () => {
  class Failing extends CausalLM {
    constructor() {
      let layers = 0;
      super(
        'Failing',
        { ...TINY, numLayers: 3 },
        (store, prefix, config, plan) => {
          if (++layers === 3) throw new RangeError('Invalid typed array length: 8589934592');
          return new StandardAttention(store, prefix, config, plan);
        },
        projectionRow,
      );
    }
  }
  const before = liveTensors();
  const err = thrown(() => new Failing());
  expect(err).toBeInstanceOf(ConfigError);
  expect(err.message).toBe(
    'invalid config: weights cannot be made: RangeError: Invalid typed array length: 8589934592',
  );
  expect(liveTensors()).toBe(before);
});
