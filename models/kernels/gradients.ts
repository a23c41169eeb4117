/**
 * Gradients for this package's kernels, and the two pieces of TensorFlow.js's autodiff that the
 * models' backward passes build on.
 *
 * A fused kernel (models/kernels/<backend>/) equals a composite of tf ops (its `...Composite` beside
 * the op); its gradient is the vector-Jacobian product of that composite, recomputed from the saved
 * inputs in the backward. Registering one is one line beside the kernel's registration:
 *
 *   registerCompositeGradient(GELU, ['x'], ({ x }) => geluComposite(x));
 *
 * A kernel whose composite is too costly to differentiate as a whole (the causal attention's n x n
 * scores, the delta rule's loop over chunks) registers a gradient of its own with tf.registerGradient
 * instead, which runs a backward kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { hasKernel, KernelName } from './names';
import { OP_GRADIENTS } from './op_gradients';

/** The part of TensorFlow.js's engine state that nested gradients must respect. */
interface TapeState {
  gradientDepth: number;
  kernelDepth: number;
  activeTape: unknown;
}

const tapeState = (): TapeState => (tf.engine() as unknown as { state: TapeState }).state;

/**
 * Whether the ops run now are recorded for a gradient (inside tf.grads, tf.variableGrads or
 * tf.valueAndGrads, and not inside a kernel or a custom gradient's forward): the models then
 * recompute each layer in the backward instead of keeping its activations.
 */
export function recordingGradients(): boolean {
  const state = tapeState();
  return state.gradientDepth > 0 && state.kernelDepth === 0;
}

/**
 * The vector-Jacobian product dy^T d f / d xs: the gradient of sum(f() * dy) with respect to each
 * of xs (tensors or variables that f reads), zeros for one f does not depend on. Usable inside a
 * backward pass (a gradient function): TensorFlow.js's engine keeps one active tape, which a nested
 * tf.grads would replace and then clear, so the outer one is put back afterwards.
 */
export function vjp(f: () => tf.Tensor, xs: tf.Tensor[], dy: tf.Tensor): tf.Tensor[] {
  const state = tapeState();
  const outer = state.activeTape;
  try {
    const { value, grads } = tf.engine().gradients(f, xs, dy, true);
    value.dispose();
    return grads.map((g, i) => g ?? tf.zerosLike(xs[i]));
  } finally {
    state.activeTape = outer;
  }
}

/** Registers a kernel's gradient unless one is registered under its name already (TensorFlow.js warns on a second). */
export function registerGradientOnce(config: tf.GradConfig): void {
  if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
}

/**
 * A kernel that computes another kernel's gradients at once (its backward), where the active
 * backend registered it: `run` returns one gradient per input of the forward kernel, in order.
 */
export interface FusedBackward {
  kernel: KernelName;
  run(inputs: Record<string, tf.Tensor>, dy: tf.Tensor, attrs: tf.NamedAttrMap): tf.Tensor[];
}

/**
 * Registers the gradient of the kernel `kernelName` (inputs named `inputNames`, in order) as the
 * vector-Jacobian product of `composite`, the tf-op function the kernel must equal, taken with the
 * kernel's attributes; or, where the backend registered `backward`'s kernel, as that kernel's
 * output. The vjp recomputes the composite from the saved inputs, so it holds the composite's
 * intermediates only while it runs. Registering twice keeps the first.
 */
export function registerCompositeGradient(
  kernelName: string,
  inputNames: readonly string[],
  composite: (inputs: Record<string, tf.Tensor>, attrs: tf.NamedAttrMap) => tf.Tensor,
  backward?: FusedBackward,
): void {
  registerGradientOnce({
    kernelName,
    inputsToSave: [...inputNames],
    gradFunc: (dy, saved, attrs) => {
      const inputs = Object.fromEntries(inputNames.map((name, i) => [name, saved[i]]));
      // All inputs' gradients at once (one recomputation); intermediates freed here.
      const grads =
        backward && hasKernel(backward.kernel)
          ? backward.run(inputs, dy as tf.Tensor, attrs)
          : tf.tidy(() => vjp(() => composite(inputs, attrs), saved, dy as tf.Tensor));
      return Object.fromEntries(inputNames.map((name, i) => [name, () => grads[i]]));
    },
  });
}

for (const config of OP_GRADIENTS) registerGradientOnce(config);
