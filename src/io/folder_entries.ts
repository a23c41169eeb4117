/** What a folder holds besides a writer's own files: the rule by which bsbr refuses to write over anyone else's. */
import * as fs from 'fs';

export interface OthersEntries {
  names: string[];
  /** Up to three of them, then '...': how a refusal names them. */
  listed: string;
}

/** The entries of the existing folder `dir` that `own` does not claim. */
export function othersEntries(dir: string, own: (name: string) => boolean): OthersEntries {
  const names = fs.readdirSync(dir).filter((name) => !own(name));
  return { names, listed: `${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''}` };
}
