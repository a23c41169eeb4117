/**
 * The worker process of `bsbr recall`: receives one RecallJob over IPC, runs it and replies with a
 * RecallReply. A fresh process per case frees every tensor of the previous model and keeps a
 * crash from ending the run; several run at once under --jobs.
 */
import { setupBackend } from '../../models/backends/setup';
import { firstLine } from '../../models/errors';
import { createModel } from '../../models/registry';
import { RecallJob, RecallReply } from './jobs';
import { trainRecall } from './train';

async function run(job: RecallJob): Promise<RecallReply> {
  let backend;
  try {
    backend = await setupBackend(job.backend, { threads: job.threads });
  } catch (err) {
    return { ok: false, stage: 'backend', message: firstLine(err) };
  }
  if (job.kind === 'setup') return { ok: true, kind: 'setup', backend };
  let params: number | undefined;
  try {
    const model = createModel(job.model, job.config);
    try {
      params = model.countParams();
      const start = process.hrtime.bigint();
      const outcome = await trainRecall(model, job.config, job.spec);
      const wall_s = Number(process.hrtime.bigint() - start) / 1e9;
      return { ok: true, kind: 'case', backend, outcome, params, wall_s };
    } finally {
      model.dispose();
    }
  } catch (err) {
    return { ok: false, stage: 'run', message: firstLine(err), params };
  }
}

// The run is gone (killed or interrupted): nobody will read the result.
process.on('disconnect', () => process.exit(1));
process.once('message', (job: RecallJob) => {
  void run(job).then((reply) => process.send!(reply, () => process.exit(0)));
});
