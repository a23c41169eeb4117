export * from '../models/index';
export { BACKEND_NAMES, activeBackend, probeBackends, setupBackend } from './backends';
export type { ActiveBackend, BackendChoice, BackendName, BackendStatus } from './backends';
