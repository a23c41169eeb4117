import { analyzeResults } from './analysis';
import { exampleResults, powerLawCases, syntheticCase, syntheticResults } from './testing/synthetic';

describe('analyzeResults', () => {
  it('fits each (mode, model) separately and recovers the synthetic exponents', () => {
    const analysis = analyzeResults(exampleResults());
    expect(analysis.modes).toEqual(['forward', 'decode']);
    expect(analysis.models).toEqual(['Standard', 'Linear', 'BSBR', 'GAU']);
    const fit = (model: string, mode: string) => analysis.fits.find((f) => f.model === model && f.mode === mode)!;
    expect(fit('Standard', 'forward').time!.exponent).toBeCloseTo(2, 8);
    expect(fit('Standard', 'forward').time_class).toBe('O(n^2)');
    expect(fit('Standard', 'forward').theory!.scaling).toBe('O(n^2)');
    expect(fit('Standard', 'decode').time!.exponent).toBeCloseTo(1, 8);
    expect(fit('Linear', 'decode').time!.exponent).toBeCloseTo(0, 8);
    expect(fit('Linear', 'decode').time_class).toBe('O(1)');
    expect(fit('Standard', 'forward').memory!.exponent).toBeCloseTo(2, 8);
    expect(analysis.fits.filter((f) => f.mode === 'decode').map((f) => f.model)).toEqual(['Standard', 'Linear']);
  });

  it('fits only ok cases: an error at the longest length does not enter', () => {
    const bsbr = analyzeResults(exampleResults()).fits.find((f) => f.model === 'BSBR' && f.mode === 'forward')!;
    expect(bsbr.seq_lens).toEqual([64, 128, 256]);
    expect(bsbr.time!.points).toBe(3);
    expect(bsbr.time!.exponent).toBeCloseTo(1, 8);
  });

  it('gives two lengths an exponent but no class or R^2, and says so', () => {
    const cases = [64, 128].map((seq_len) => ({
      ...syntheticCase({ model: 'Standard', seq_len }),
      median_ms: seq_len / 10,
      peak_tensor_bytes: seq_len,
    }));
    const fit = analyzeResults(syntheticResults(cases)).fits[0];
    expect(fit.time!.exponent).toBeCloseTo(1, 8);
    expect(fit.time_class).toBeNull();
    expect(fit.memory_class).toBeNull();
    expect(fit.note).toBe('2 lengths: an exponent, but no class or R^2 (they need 3)');
  });

  it('gives a model with fewer than 2 ok lengths no fit, and says so', () => {
    const gau = analyzeResults(exampleResults()).fits.find((f) => f.model === 'GAU')!;
    expect(gau.time).toBeNull();
    expect(gau.memory).toBeNull();
    expect(gau.time_class).toBeNull();
    expect(gau.note).toMatch(/1 ok length .*no fit/);
  });

  it('fits time without memory when peak tensor bytes were not recorded', () => {
    const cases = powerLawCases(
      'Linear',
      'forward',
      [64, 128, 256],
      (n) => n,
      (n) => n,
    ).map((c) => ({ ...c, peak_tensor_bytes: null }));
    const [fit] = analyzeResults(syntheticResults(cases)).fits;
    expect(fit.time).not.toBeNull();
    expect(fit.memory).toBeNull();
    expect(fit.note).toMatch(/no memory fit/);
  });

  it('handles a run where nothing succeeded', () => {
    const analysis = analyzeResults(
      syntheticResults([syntheticCase({ model: 'Standard', seq_len: 64, status: 'error' })]),
    );
    expect(analysis.fits).toHaveLength(1);
    expect(analysis.fits[0].time).toBeNull();
    expect(analysis.slowdown).toEqual([]);
  });

  it('fits a + b n^e beside the log-log fit, from 3 ok lengths', () => {
    const fits = analyzeResults(exampleResults()).fits;
    const standard = fits.find((f) => f.model === 'Standard' && f.mode === 'forward')!;
    expect(standard.time_constant_term!.exponent).toBeCloseTo(2, 2);
    expect(standard.time_constant_term!.points).toBe(4);
    const bsbr = fits.find((f) => f.model === 'BSBR' && f.mode === 'forward')!;
    expect(bsbr.time_constant_term!.exponentCi95).toBeNull(); // 3 points, 3 parameters
    expect(fits.find((f) => f.model === 'GAU')!.time_constant_term).toBeNull();
  });

  it('says which lengths a fit covers when its class disagrees with the theory, and what the constant term reads', () => {
    // Standard with a fixed cost that dominates at these lengths: the log-log exponent reads O(n).
    const lengths = [64, 128, 256, 512, 1024];
    const cases = powerLawCases(
      'Standard',
      'forward',
      lengths,
      (n) => 20 + 1e-4 * n ** 2,
      (n) => n,
    );
    const [fit] = analyzeResults(syntheticResults(cases)).fits;
    expect(fit.time_class).toBe('O(n)');
    expect(fit.note).toBe(
      'over n = 64-1024 the time fit reads O(n) where theory says O(n^2): fixed and linear per-call costs dominate at these lengths ' +
        `(with a constant term e = 2.00 [${fit.time_constant_term!.exponentCi95!.map((x) => x.toFixed(2)).join(', ')}]); the asymptote needs longer ones`,
    );
    // One that grows faster than its theory says is told to look for noise.
    const [fast] = analyzeResults(
      syntheticResults(
        powerLawCases(
          'Linear',
          'forward',
          lengths,
          (n) => 1e-4 * n ** 2,
          (n) => n,
        ),
      ),
    ).fits;
    expect(fast.note).toMatch(
      /^over n = 64-1024 the time fit reads O\(n\^2\) where theory says O\(n\): more than the theory; look for noise/,
    );
    // Agreement leaves the note empty.
    expect(analyzeResults(exampleResults()).fits.find((f) => f.model === 'Linear' && f.mode === 'forward')!.note).toBe(
      '',
    );
  });

  it('warns of a time fit whose points scatter about the line', () => {
    const times = [10, 30, 12, 40, 25];
    const cases = [64, 128, 256, 512, 1024].map((n, i) =>
      syntheticCase({ model: 'Linear', seq_len: n, median_ms: times[i] }),
    );
    const [fit] = analyzeResults(syntheticResults(cases)).fits;
    expect(fit.warnings).toEqual([expect.stringMatching(/^time poor fit: R\^2 0\.\d\d, points scatter/)]);
  });
});
