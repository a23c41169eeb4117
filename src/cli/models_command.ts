import { Command } from 'commander';
import { DEFAULT_CONFIG, ModelConfig } from '../../models/config';
import { MODEL_DESCRIPTORS, MODEL_NAMES } from '../../models/descriptors';
import { MODEL_DEFAULTS } from '../options/defaults';
import { flag } from '../options/usage_error';
import { formatListing } from '../reports/listing';
import { Column, outputWidth, wrapLine } from '../reports/table';
import { addOutputOptions, OutputOptions, printResult } from './output';

interface ModelInfo {
  model: string;
  section: number;
  title: string;
  knobs: string;
  forward: string;
  decode: string;
}

/** "--chunk-size 32"; where compare's default (the original comparison's) differs from the library's, both. */
function knobText(field: keyof ModelConfig): string {
  const library = String(DEFAULT_CONFIG[field] ?? 'none');
  const compare = String(MODEL_DEFAULTS[field] ?? 'none');
  return compare === library ? `${flag(field)} ${library}` : `${flag(field)} ${compare} (library default ${library})`;
}

function modelInfos(): ModelInfo[] {
  return MODEL_NAMES.map((model) => {
    const {
      knobs,
      docs,
      theory: { forward, decode },
    } = MODEL_DESCRIPTORS[model];
    return {
      model,
      ...docs,
      knobs: knobs.map(knobText).join(', ') || 'none of its own',
      forward: `${forward.cost}, ${forward.scaling}`,
      decode: `${decode.cost}, ${decode.scaling}`,
    };
  });
}

const COLUMNS: readonly Column<ModelInfo>[] = [
  { head: 'model', text: (m) => m.model },
  { head: 'section', text: (m) => String(m.section), align: 'right' },
  { head: 'what it is', text: (m) => m.title },
  { head: 'knobs (compare defaults)', text: (m) => m.knobs },
  { head: 'forward pass', text: (m) => m.forward },
  { head: 'decode step after n tokens', text: (m) => m.decode },
];

/** One block per model: a table of six wide columns would not fit a terminal. */
function modelsText(infos: readonly ModelInfo[]): string {
  const width = outputWidth();
  const blocks = infos.map((m) =>
    [
      `${m.model} (docs/architectures.md section ${m.section})`,
      wrapLine('  ', m.title, width),
      wrapLine('  knobs: ', m.knobs, width),
      wrapLine('  forward pass: ', m.forward, width),
      wrapLine('  decode step after n tokens: ', m.decode, width),
    ].join('\n'),
  );
  const shared =
    'Every model also takes --vocab-size, --hidden-dim, --num-layers, --num-heads, --ff-dim and --seed; bsbr compare --help lists them.';
  return [...blocks, wrapLine('', shared, width)].join('\n\n');
}

/** `bsbr models`: the architectures, their knobs and their theoretical costs. */
export function registerModels(program: Command): void {
  const command = program
    .command('models')
    .description('list the architectures with their knobs and theoretical costs');
  addOutputOptions(command, 'one row per model').action((options: OutputOptions) => {
    const infos = modelInfos();
    printResult(
      options.format === 'table' ? modelsText(infos) : formatListing(COLUMNS, infos, options.format, (m) => ({ ...m })),
    );
  });
}
