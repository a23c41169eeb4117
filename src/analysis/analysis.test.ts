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

  it('gives a model with fewer than 2 ok lengths no fit, and says so', () => {
    const gau = analyzeResults(exampleResults()).fits.find((f) => f.model === 'GAU')!;
    expect(gau.time).toBeNull();
    expect(gau.memory).toBeNull();
    expect(gau.time_class).toBeNull();
    expect(gau.note).toMatch(/1 ok length .*no fit/);
  });

  it('fits time without memory when peak tensor bytes were not recorded', () => {
    const cases = powerLawCases('Linear', 'forward', [64, 128, 256], (n) => n, (n) => n).map((c) => ({ ...c, peak_tensor_bytes: null }));
    const [fit] = analyzeResults(syntheticResults(cases)).fits;
    expect(fit.time).not.toBeNull();
    expect(fit.memory).toBeNull();
    expect(fit.note).toMatch(/no memory fit/);
  });

  it('handles a run where nothing succeeded', () => {
    const analysis = analyzeResults(syntheticResults([syntheticCase({ model: 'Standard', seq_len: 64, status: 'error' })]));
    expect(analysis.fits).toHaveLength(1);
    expect(analysis.fits[0].time).toBeNull();
    expect(analysis.slowdown).toEqual([]);
  });
});
