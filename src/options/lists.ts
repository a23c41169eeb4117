/** List options and the options naming models or a backend, read the same way by every command. */
import { BackendChoice, BackendError, parseBackendChoice } from '../../models/backends/setup';
import { canonicalModelName, MODEL_NAMES } from '../../models/registry';
import { ALL_MODELS } from './defaults';
import { nonEmpty } from './numbers';
import { UsageError } from './usage_error';

/** Each value once, in the order first given. */
export function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** A list option given with spaces, commas or both: `--models BSBR,Linear GAU`. */
export function listValues(values: readonly string[]): string[] {
  return values
    .flatMap((v) => String(v).split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** --models: canonical names, each once; `all` for every architecture; undefined: the command's defaults. */
export function parseModels(names: readonly string[] | undefined, defaults: readonly string[]): string[] {
  if (names === undefined) return [...defaults];
  const listed = nonEmpty('--models', listValues(names));
  if (listed.some((name) => name.toLowerCase() === ALL_MODELS)) return [...MODEL_NAMES];
  return unique(
    listed.map((name) => {
      const canonical = canonicalModelName(name);
      if (!canonical)
        throw new UsageError(
          '--models',
          `--models: unknown model '${name}' (valid: ${MODEL_NAMES.join(', ')}, or ${ALL_MODELS} for every one; case does not matter)`,
        );
      return canonical;
    }),
  );
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
