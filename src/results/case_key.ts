/** How a (model, mode, length) case is named in messages and matched between runs: 'BSBR forward n=1024'. */
export function caseKey(c: { model: string; mode: string; seq_len: number }): string {
  return `${c.model} ${c.mode} n=${c.seq_len}`;
}

/** The same name for a case of a sweep's plan (its length as seqLen). */
export function plannedCaseKey(c: { model: string; mode: string; seqLen: number }): string {
  return caseKey({ ...c, seq_len: c.seqLen });
}
