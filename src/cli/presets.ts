/** Named sweeps: `bsbr compare --preset NAME` reads evals/presets/NAME.args (shipped with the package). */
import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { packageRoot } from '../package_root';
import { UsageError } from '../options/usage_error';

/** Which command's presets: compare's in evals/presets/, recall's in evals/presets/recall/. */
export type PresetKind = 'compare' | 'recall';

export function presetsDir(kind: PresetKind = 'compare'): string {
  return path.join(packageRoot(), 'evals', 'presets', ...(kind === 'recall' ? ['recall'] : []));
}

export function presetNames(kind: PresetKind = 'compare'): string[] {
  const dir = presetsDir(kind);
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.args'))
        .map((f) => f.slice(0, -'.args'.length))
        .sort()
    : [];
}

/** The options a preset holds, as command-line words (whitespace-separated in its file). */
export function presetArgs(name: string, kind: PresetKind = 'compare'): string[] {
  if (!presetNames(kind).includes(name))
    throw new UsageError('--preset', `--preset: no preset '${name}' (valid: ${presetNames(kind).join(', ')})`);
  return fs
    .readFileSync(path.join(presetsDir(kind), `${name}.args`), 'utf8')
    .split(/\s+/)
    .filter(Boolean);
}

/**
 * The user's options over a preset's (`define` adds the command's options to a scratch command that
 * parses the preset): an option may come from one of them, not both.
 */
export function withPreset<T extends { preset?: string }>(
  options: T,
  command: Command,
  define: (command: Command) => Command,
  kind: PresetKind,
): T {
  const typed = (key: string) => command.getOptionValueSource(key) === 'cli';
  if (options.preset === undefined) return options;
  const words = presetArgs(options.preset, kind);
  const scratch = define(new Command(command.name()))
    .exitOverride()
    .action(() => undefined);
  scratch.parse(words, { from: 'user' });
  const fromPreset = (key: string) => scratch.getOptionValueSource(key) === 'cli';
  const merged: Record<string, unknown> = { ...options };
  for (const option of command.options) {
    const key = option.attributeName();
    if (!fromPreset(key)) continue;
    if (typed(key))
      throw new UsageError(
        option.long ?? '--preset',
        `${option.long} is set by --preset ${options.preset} (${words.join(' ')}); leave it out, or give every option without the preset`,
      );
    merged[key] = scratch.opts()[key];
  }
  return merged as T;
}
