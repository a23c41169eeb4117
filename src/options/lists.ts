/** List options and the options naming models or a backend, read the same way by every command. */
import { BackendChoice, BackendError, parseBackendChoice } from '../../models/backends/setup';
import { canonicalModelName, MODEL_NAMES } from '../../models/registry';
import { UsageError } from './usage_error';

/** Each value once, in the order first given. */
export function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** A list option given with spaces, commas or both: `--models BSBR,Linear GAU`. */
export function listValues(values: readonly string[]): string[] {
  return values.flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/** --models: canonical names, each once; undefined: all seven. */
export function parseModels(names: string[] | undefined): string[] {
  if (names === undefined) return [...MODEL_NAMES];
  return unique(listValues(names).map((name) => {
    const canonical = canonicalModelName(name);
    if (!canonical) throw new UsageError('--models', `--models: unknown model '${name}' (valid: ${MODEL_NAMES.join(', ')}; case does not matter)`);
    return canonical;
  }));
}

/** --backend: a backend name in any case, as models/backends reads it. */
export function parseBackendOption(value: string): BackendChoice {
  try {
    return parseBackendChoice(value);
  } catch (err) {
    if (err instanceof BackendError) throw new UsageError('--backend', `--backend: ${err.message}`);
    throw err;
  }
}
