/** What a command prints on stdout (--format): a terminal table, JSON, GitHub markdown or CSV. */
export const FORMATS = ['table', 'json', 'markdown', 'csv'] as const;
export type Format = (typeof FORMATS)[number];
