/**
 * Exit codes of every bsbr command. failed: a regression (regress), or no case measured (compare);
 * inconclusive: regress found no regression but its noise exceeds the threshold (no pass either);
 * crash: an error bsbr did not expect (a bug: sysexits' EX_SOFTWARE), never mistaken for a regression.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, inconclusive: 3, crash: 70 } as const;
