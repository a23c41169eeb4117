/**
 * A case worker whose case Standard n=8 fails after its model is built (as a real case that throws
 * would: the parameter count known, the message sent); every other job goes to the case worker.
 * The tests of how a failing case is recorded give it to the sweep as its worker script.
 */
import { setupBackend } from '../../../models/backends/setup';
import { createModel } from '../../../models/registry';
import { WorkerJob, WorkerReply } from '../jobs';

async function fail(job: WorkerJob & { kind: 'case' }): Promise<WorkerReply> {
  await setupBackend(job.backend, { threads: job.threads });
  const model = createModel(job.spec.model, job.config);
  const params = model.countParams();
  model.dispose();
  return { ok: false, stage: 'run', message: 'failure injected by the failing test worker', params };
}

process.once('message', (job: WorkerJob) => {
  if (job.kind === 'case' && job.spec.model === 'Standard' && job.spec.seqLen === 8) {
    void fail(job).then((reply) => process.send!(reply, () => process.exit(0)));
    return;
  }
  // The case worker listens for its job once loaded: hand it this one.
  require('../case_worker');
  process.emit('message', job, undefined);
});
