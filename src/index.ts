export * from '../models/index';
export { ActiveBackend, BACKEND_NAMES, BackendChoice, BackendName, BackendStatus, activeBackend, probeBackends, setupBackend } from './backends';
