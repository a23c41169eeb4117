export { ConfigError, DEFAULT_CONFIG, ModelConfig, headDim, resolveConfig } from './config';
export { CausalLM, DecodeState, TokenIds } from './model';
export { BSBRModel } from './bsbr';
export { StandardModel } from './standard';
export { MODEL_NAMES, canonicalModelName, createModel } from './registry';
