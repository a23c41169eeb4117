export { ConfigError, DEFAULT_CONFIG, headDim, resolveConfig } from './config';
export type { ModelConfig } from './config';
export { CausalLM } from './model';
export type { DecodeState, TokenIds } from './model';
export { BSBRModel } from './bsbr';
export { StandardModel } from './standard';
export { MODEL_NAMES, canonicalModelName, createModel } from './registry';
