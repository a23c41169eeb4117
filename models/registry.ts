import { ModelConfig } from './config';
import { canonicalModelName, MODEL_NAMES, ModelName } from './descriptors';
import { InputError } from './errors';
import { BSBRModel } from './bsbr';
import { DeltaNetModel } from './deltanet';
import { GAUModel } from './gau';
import { HopfieldModel } from './hopfield';
import { LinearModel } from './linear';
import { CausalLM } from './model';
import { SlidingWindowModel } from './sliding_window';
import { StandardModel } from './standard';

type ModelClass = new (config?: Partial<ModelConfig>) => CausalLM;

const REGISTRY: Record<ModelName, ModelClass> = {
  BSBR: BSBRModel,
  Standard: StandardModel,
  Linear: LinearModel,
  DeltaNet: DeltaNetModel,
  SlidingWindow: SlidingWindowModel,
  Hopfield: HopfieldModel,
  GAU: GAUModel,
};

export { canonicalModelName, MODEL_NAMES };
export type { ModelName };

/** Builds the named architecture (name case-insensitive). */
export function createModel(name: string, config: Partial<ModelConfig> = {}): CausalLM {
  const canonical = canonicalModelName(name);
  if (!canonical) throw new InputError('model', `unknown model '${name}' (valid: ${MODEL_NAMES.join(', ')})`);
  return new REGISTRY[canonical](config);
}
