import * as tf from '@tensorflow/tfjs-core';

/** Registers a kernel of this package for a backend unless one is already registered under that name. */
export function registerOnce(kernelName: string, backendName: string, kernelFunc: unknown): void {
  if (!tf.getKernel(kernelName, backendName)) tf.registerKernel({ kernelName, backendName, kernelFunc: kernelFunc as tf.KernelFunc });
}
