import { Command, CommanderError } from 'commander';
import { InputError } from '../../models/errors';
import { exitOnSignals, ignoreClosedOutput } from '../io/signals';
import { RunError } from '../bench/run_error';
import { packageVersion } from '../package_root';
import { registerAnalyze } from './analyze';
import { registerBackends } from './backends_command';
import { registerCompare } from './compare';
import { EXIT } from './exit_codes';
import { registerMerge } from './merge';
import { registerModels } from './models_command';
import { printLine } from './output';
import { registerRecall } from './recall';
import { registerRegress } from './regress';
import { registerWeights } from './weights_command';

export function buildProgram(): Command {
  const program = new Command('bsbr')
    .description('Causal efficient attention in TensorFlow.js: sweep, measure, analyse and guard seven architectures')
    .version(packageVersion())
    .exitOverride()
    // Commander's own errors ("error: unknown option ...") get the prefix of every bsbr error; the
    // subcommands registered below inherit this.
    .configureOutput({ outputError: (text, write) => write(`bsbr: ${text}`) });
  registerBackends(program);
  registerModels(program);
  registerCompare(program);
  registerRecall(program);
  registerWeights(program);
  registerMerge(program);
  registerAnalyze(program);
  registerRegress(program);
  return program;
}

/** Runs the command line; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  exitOnSignals();
  ignoreClosedOutput();
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; commander has already printed its message for the rest.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    // The user's input was wrong (an option, a file, a config, a backend): one line, exit 2.
    if (err instanceof InputError) {
      printLine(`bsbr: error: ${err.message}`);
      return EXIT.usage;
    }
    if (err instanceof RunError) {
      printLine(`bsbr: error: ${err.message}`);
      return EXIT.failed;
    }
    // Anything else is a bug: one line, and an exit code that no verdict uses.
    printLine(
      `bsbr: internal error: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)} (a bug in bsbr: please report it with the command that gave it)`,
    );
    return EXIT.crash;
  }
}
