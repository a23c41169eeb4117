/** The options every command shares for what it prints: --format for stdout, --quiet for stderr. */
import { Command, Option } from 'commander';
import { Format, FORMATS } from '../reports/output_format';

export interface OutputOptions {
  format: Format;
  quiet?: boolean;
}

/** Adds --format (what stdout gets; `csv` says which table) and --quiet. */
export function addOutputOptions(command: Command, csvHolds: string): Command {
  return command
    .addOption(new Option('--format <format>', `what to print on stdout (csv: ${csvHolds})`).choices(FORMATS).default('table'))
    .option('-q, --quiet', 'print no progress or notices on stderr (errors still)');
}

/** One-line notices on stderr, or nothing with --quiet. */
export function noticeWriter(options: OutputOptions): (line: string) => void {
  return options.quiet ? () => undefined : (line) => void process.stderr.write(`${line}\n`);
}
