/** The options every command shares for what it prints: --format for stdout, --quiet for stderr. */
import { Command, Option } from 'commander';
import { Format, FORMATS } from '../reports/output_format';
import { printable, printableText } from '../io/printable';

export interface OutputOptions {
  format: Format;
  quiet?: boolean;
}

/** Adds --format (what stdout gets; `csv` says which table) and --quiet. */
export function addOutputOptions(command: Command, csvHolds: string): Command {
  return command
    .addOption(
      new Option('--format <format>', `what to print on stdout (csv: ${csvHolds})`)
        .choices(FORMATS)
        .default('table', 'table'),
    )
    .option('-q, --quiet', 'print no progress or notices on stderr (errors still)');
}

/** One-line notices on stderr, or nothing with --quiet; what came from a file is escaped (reports/printable.ts). */
export function noticeWriter(options: OutputOptions): (line: string) => void {
  return options.quiet ? () => undefined : printLine;
}

/** One line on stderr (a notice, a warning, an error), its control characters escaped. */
export function printLine(line: string): void {
  console.error(printable(line));
}

/** What a command prints on stdout (a table, markdown, csv, json), its control characters escaped but its lines kept. */
export function printResult(text: string): void {
  console.log(printableText(text));
}
