/**
 * The worker process of `bsbr compare`: receives one WorkerJob over IPC, runs it and replies with a
 * WorkerReply. A fresh process per case gives each case its own peak resident memory (the wasm heap
 * never shrinks), frees every tensor of the previous model, and keeps a crash from ending the sweep.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CausalLM } from '../../models/model';
import { firstLine } from '../../models/errors';
import { createModel } from '../../models/registry';
import { setupBackend } from '../../models/backends/setup';
import { readSafetensors } from '../weights/safetensors';
import { CASE_CALIBRATION, measureCalibration } from './calibration';
import { WeightsToLoad, WorkerJob, WorkerReply } from './jobs';
import { measureModel } from './measure';

/** Loads a safetensors file into the model (every name and shape checked; nothing half-loaded). */
function loadWeights(model: CausalLM, file: string): void {
  const weights = readSafetensors(file);
  try {
    model.setWeights(weights);
  } finally {
    tf.dispose([...weights.values()]);
  }
}

/** Builds the model once and loads the --weights file into it: the check made before a sweep starts. */
function checkWeights({ model: name, config, file }: WeightsToLoad): void {
  const model = createModel(name, config);
  try {
    loadWeights(model, file);
  } finally {
    model.dispose();
  }
}

async function run(job: WorkerJob): Promise<WorkerReply> {
  let backend;
  try {
    backend = await setupBackend(job.backend, { threads: job.threads });
  } catch (err) {
    return { ok: false, stage: 'backend', message: firstLine(err) };
  }
  if (job.kind === 'calibration') {
    try {
      if (job.weights) checkWeights(job.weights);
    } catch (err) {
      return { ok: false, stage: 'weights', message: `--weights ${job.weights!.file}: ${firstLine(err)}` };
    }
    try {
      return { ok: true, kind: 'calibration', backend, calibration: await measureCalibration() };
    } catch (err) {
      return { ok: false, stage: 'run', message: firstLine(err) };
    }
  }
  let params: number | undefined;
  try {
    const model = createModel(job.spec.model, job.config);
    let measured;
    try {
      params = model.countParams();
      if (job.weightsFile) loadWeights(model, job.weightsFile);
      measured = await measureModel(model, job.spec);
    } finally {
      model.dispose();
    }
    const peak_rss_bytes = process.resourceUsage().maxRSS * 1024;
    const calibration = await measureCalibration(CASE_CALIBRATION);
    return { ok: true, kind: 'case', backend, measurement: { ...measured, params, peak_rss_bytes, calibration } };
  } catch (err) {
    return { ok: false, stage: 'run', message: firstLine(err), params };
  }
}

// The sweep is gone (killed or interrupted): nobody will read the result.
process.on('disconnect', () => process.exit(1));
process.once('message', (job: WorkerJob) => {
  void run(job).then((reply) => process.send!(reply, () => process.exit(0)));
});
