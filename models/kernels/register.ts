import * as tf from '@tensorflow/tfjs-core';
import { KernelArgs, KernelName } from './names';

/**
 * Registers a kernel of this package for a backend unless one is already registered under that name.
 * The kernel function receives its inputs and attributes as its contract in names.ts types them.
 */
export function registerOnce<K extends KernelName, B>(
  kernelName: K,
  backendName: string,
  kernelFunc: (args: KernelArgs<K, B>) => tf.TensorInfo | tf.TensorInfo[],
): void {
  if (!tf.getKernel(kernelName, backendName))
    tf.registerKernel({ kernelName, backendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}
