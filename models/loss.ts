/**
 * Losses for training (docs/architectures.md, "Training"): the weighted cross-entropy of logits
 * against integer labels, and its causal language-model form (each real token predicts the next).
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Cross-entropy logits [..., V] against labels [...] (int32 in [0, V)), each term weighted by
 * weights [...] (e.g. 1 for a counted position, 0 for one left out): sum(w * (logsumexp(logits) -
 * logits[label])) / sum(w), a scalar (0 when no weight is positive). The sum of the terms alone is
 * `crossEntropySum`.
 */
export function crossEntropy(logits: tf.Tensor, labels: tf.Tensor, weights: tf.Tensor): tf.Scalar {
  return tf.tidy(
    () => tf.div(crossEntropySum(logits, labels, weights), tf.maximum(tf.sum(weights), 1e-30)) as tf.Scalar,
  );
}

/**
 * sum(w * (logsumexp(logits) - logits[label])) over every position: crossEntropy before the division.
 * Its gradient with respect to the logits is written out, w * (softmax(logits) - onehot(label)):
 * TensorFlow.js's own gradients of the sums inside logsumexp would each build a tensor of ones of the
 * logits' shape [positions, V] on the host and upload it.
 */
export function crossEntropySum(logits: tf.Tensor, labels: tf.Tensor, weights: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const V = logits.shape[logits.rank - 1];
    const sum = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [flat, ids, w] = args as tf.Tensor[];
      const save = args[3] as tf.GradSaveFunc;
      const lse = tf.logSumExp(flat, -1, true);
      const picked = tf.sum(tf.mul(flat, tf.oneHot(ids as tf.Tensor1D, V)), -1);
      const terms = tf.sub(tf.reshape(lse, [-1]), picked);
      save([flat, ids, w, lse, terms]);
      return {
        value: tf.sum(tf.mul(terms, w)),
        gradFunc: (dy: tf.Tensor, [x, idx, wx, lsex, termsx]: tf.Tensor[]) => [
          logitsGradient(tf.exp(tf.sub(x, lsex)), idx, wx, dy),
          tf.zeros(idx.shape),
          tf.mul(termsx, dy),
        ],
      };
    });
    return sum(tf.reshape(logits, [-1, V]), tf.reshape(labels, [-1]), tf.reshape(weights, [-1])) as tf.Scalar;
  });
}

/**
 * crossEntropySum's gradient with respect to its logits [rows, V] given their softmax `probs` and
 * the gradient dy of the sum: w * (probs - onehot(label)) * dy, [rows, V].
 */
function logitsGradient(probs: tf.Tensor, labels: tf.Tensor, weights: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  const V = probs.shape[probs.rank - 1];
  return tf.mul(
    tf.sub(probs, tf.oneHot(tf.reshape(labels, [-1]) as tf.Tensor1D, V)),
    tf.mul(tf.reshape(weights, [-1, 1]), dy),
  );
}

/**
 * crossEntropySum's gradient with respect to logits [..., V], times dy, from the logits alone (their
 * softmax: one exponential, where the sum's forward and its gradient take one each): for a backward
 * that recomputes the logits and needs not the loss.
 */
export function crossEntropySumGradient(
  logits: tf.Tensor,
  labels: tf.Tensor,
  weights: tf.Tensor,
  dy: tf.Tensor,
): tf.Tensor {
  return tf.tidy(() => {
    const V = logits.shape[logits.rank - 1];
    const probs = tf.softmax(tf.reshape(logits, [-1, V]));
    return tf.reshape(logitsGradient(probs, labels, weights, dy), logits.shape);
  });
}

/**
 * Which positions a causal language-model loss counts and what they predict: position t (of
 * t < n - 1) predicts ids[t + 1] and counts when both t and t + 1 are real tokens. Returns
 * labels [b, n] int32 (the next id; 0 at the last position) and weights [b, n] (1 counted, 0 not).
 */
export function nextTokenTargets(
  ids: tf.Tensor2D,
  mask: tf.Tensor2D | null,
): { labels: tf.Tensor2D; weights: tf.Tensor2D } {
  return tf.tidy(() => {
    const [b, n] = ids.shape;
    const labels = tf.concat([tf.slice(ids, [0, 1], [b, n - 1]), tf.zeros([b, 1], 'int32')], 1) as tf.Tensor2D;
    const last = tf.concat([tf.ones([b, n - 1]), tf.zeros([b, 1])], 1);
    const weights = mask
      ? tf.mul(last, tf.mul(mask, tf.concat([tf.slice(mask, [0, 1], [b, n - 1]), tf.zeros([b, 1])], 1)))
      : last;
    return { labels, weights: weights as tf.Tensor2D };
  });
}

/**
 * The next-token cross-entropy of logits [b, n, V] for token ids [b, n] (int32) over the real
 * positions of mask [b, n] (1 real, 0 padding; null: all real): the mean over counted positions of
 * -log p(ids[t + 1] | logits[t]) (nextTokenTargets says which count).
 */
export function causalLmLoss(logits: tf.Tensor3D, ids: tf.Tensor2D, mask: tf.Tensor2D | null = null): tf.Scalar {
  return tf.tidy(() => {
    const { labels, weights } = nextTokenTargets(ids, mask);
    return crossEntropy(logits, labels, weights);
  });
}
