/**
 * The learning rate at step s (from 0) of `total`: a linear warm-up over `warmup` steps to the peak,
 * then a cosine decay to 0 at the last step: lr(s) = peak (s + 1) / warmup while s < warmup, else
 * peak (1 + cos(pi (s - warmup) / (total - warmup))) / 2.
 */
export function cosineLearningRate(step: number, total: number, warmup: number, peak: number): number {
  if (step < warmup) return (peak * (step + 1)) / warmup;
  const decay = total - warmup;
  if (decay <= 0) return peak;
  return (peak * (1 + Math.cos((Math.PI * (step - warmup)) / decay))) / 2;
}
