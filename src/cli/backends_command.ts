import { Command } from 'commander';
import { BackendStatus, probeBackends } from '../../models/backends/setup';
import { formatListing } from '../reports/listing';
import { Column } from '../reports/table';
import { addOutputOptions, OutputOptions, printResult } from './output';

const COLUMNS: readonly Column<BackendStatus>[] = [
  { head: 'backend', text: (s) => s.name },
  { head: 'usable', text: (s) => (s.usable ? 'yes' : 'no') },
  { head: 'package', text: (s) => s.packageName, drop: 1 },
  { head: 'why', text: (s) => s.reason, wrap: true },
];

/** `bsbr backends`: which backends load here, and why the others do not. */
export function registerBackends(program: Command): void {
  const command = program
    .command('backends')
    .description('list the TensorFlow.js backends and whether each is usable here (auto takes the first usable one)');
  addOutputOptions(command, 'one row per backend').action(async (options: OutputOptions) => {
    const statuses = await probeBackends();
    printResult(
      formatListing(COLUMNS, statuses, options.format, (s) => ({
        // JSON holds the adapter as an object; a CSV cell as its JSON text.
        name: s.name,
        package: s.packageName,
        usable: s.usable,
        reason: s.reason,
        adapter: s.adapter ? (options.format === 'csv' ? JSON.stringify(s.adapter) : s.adapter) : null,
      })),
    );
  });
}
