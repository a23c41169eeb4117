export * from '../models/index';
export { BACKEND_NAMES, activeBackend, probeBackends, setupBackend } from '../models/backends/setup';
export type { ActiveBackend, BackendChoice, BackendName, BackendStatus } from '../models/backends/setup';
export { readSafetensors, readSafetensorsHeader, SafetensorsError, writeSafetensors } from './weights/safetensors';
export type { SafetensorsDtype, SafetensorsEntry } from './weights/safetensors';
export * as tf from '@tensorflow/tfjs-core';
