import { ModelConfig } from './config';
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

const REGISTRY: Record<string, ModelClass> = {
  BSBR: BSBRModel,
  Standard: StandardModel,
  Linear: LinearModel,
  DeltaNet: DeltaNetModel,
  SlidingWindow: SlidingWindowModel,
  Hopfield: HopfieldModel,
  GAU: GAUModel,
};

/** The registered architectures, in the order the toolkit reports them. */
export const MODEL_NAMES: readonly string[] = Object.freeze(Object.keys(REGISTRY));

/** The canonical spelling of a model name given in any case, or undefined when unknown. */
export function canonicalModelName(name: string): string | undefined {
  return MODEL_NAMES.find((known) => known.toLowerCase() === name.toLowerCase());
}

/** Builds the named architecture (name case-insensitive). */
export function createModel(name: string, config: Partial<ModelConfig> = {}): CausalLM {
  const canonical = canonicalModelName(name);
  if (!canonical) throw new InputError('model', `unknown model '${name}' (valid: ${MODEL_NAMES.join(', ')})`);
  return new REGISTRY[canonical](config);
}
