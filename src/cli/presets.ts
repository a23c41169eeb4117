/** Named sweeps: `bsbr compare --preset NAME` reads evals/presets/NAME.args (shipped with the package). */
import * as fs from 'fs';
import * as path from 'path';
import { packageRoot } from '../package_root';
import { UsageError } from '../options/usage_error';

export function presetsDir(): string {
  return path.join(packageRoot(), 'evals', 'presets');
}

export function presetNames(): string[] {
  return fs.existsSync(presetsDir()) ? fs.readdirSync(presetsDir()).filter((f) => f.endsWith('.args')).map((f) => f.slice(0, -'.args'.length)).sort() : [];
}

/** The compare options a preset holds, as command-line words (whitespace-separated in its file). */
export function presetArgs(name: string): string[] {
  if (!presetNames().includes(name)) throw new UsageError('--preset', `--preset: no preset '${name}' (valid: ${presetNames().join(', ')})`);
  return fs.readFileSync(path.join(presetsDir(), `${name}.args`), 'utf8').split(/\s+/).filter(Boolean);
}
