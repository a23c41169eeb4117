import { Command } from 'commander';
import { probeBackends } from '../../models/backends/setup';

/** `bsbr backends`: which backends load here, and why the others do not. */
export function registerBackends(program: Command): void {
  program
    .command('backends')
    .description('list the TensorFlow.js backends and whether each is usable here (auto takes the first usable one)')
    .action(async () => {
      const statuses = await probeBackends();
      const width = Math.max(...statuses.map((s) => s.name.length));
      for (const s of statuses) {
        console.log(`${s.name.padEnd(width)}  ${s.usable ? 'usable    ' : 'not usable'}  ${s.reason}`);
      }
    });
}
