export * from '../models/index';
export { BACKEND_NAMES, activeBackend, probeBackends, setupBackend } from './backends';
export type { ActiveBackend, BackendChoice, BackendName, BackendStatus } from './backends';
export { readSafetensors, readSafetensorsHeader, SafetensorsError, writeSafetensors } from './weights/safetensors';
export type { SafetensorsDtype, SafetensorsEntry } from './weights/safetensors';
