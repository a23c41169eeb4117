/** Exit codes of every bsbr command. failed: a regression (regress), or no case measured (compare). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
