import { Command, CommanderError } from 'commander';
import { ConfigError } from '../../models/config';
import { WeightsError } from '../../models/weights';
import { BackendError } from '../../models/backends/setup';
import { packageVersion } from '../package_root';
import { ResultsFileError } from '../results/read';
import { SafetensorsError } from '../weights/safetensors';
import { registerAnalyze } from './analyze';
import { registerBackends } from './backends_command';
import { registerCompare } from './compare';
import { registerMerge } from './merge';
import { registerRegress } from './regress';
import { registerWeights } from './weights_command';
import { EXIT, UsageError } from './errors';


export function buildProgram(): Command {
  const program = new Command('bsbr')
    .description('Causal efficient attention in TensorFlow.js: sweep, measure, analyse and guard seven architectures')
    .version(packageVersion())
    .exitOverride();
  registerBackends(program);
  registerCompare(program);
  registerWeights(program);
  registerMerge(program);
  registerAnalyze(program);
  registerRegress(program);
  return program;
}

/** Errors that mean the user's input was wrong: one line, exit 2. */
function isUsageError(err: unknown): boolean {
  return err instanceof UsageError || err instanceof ConfigError || err instanceof ResultsFileError || err instanceof BackendError
    || err instanceof WeightsError || err instanceof SafetensorsError;
}

/** Runs the command line; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; commander has already printed its message for the rest.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (isUsageError(err)) {
      console.error(`bsbr: error: ${(err as Error).message}`);
      return EXIT.usage;
    }
    throw err;
  }
}
