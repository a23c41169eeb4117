/** The float64 reference attention of every registered architecture, by canonical name. */
import { ModelName } from '../../descriptors';
import { NaiveAttention } from './arrays';
import { naiveBSBR } from './bsbr';
import { naiveDeltaNet } from './deltanet';
import { naiveGAU } from './gau';
import { naiveHopfield } from './hopfield';
import { naiveLinear } from './linear';
import { naiveSlidingWindow } from './sliding_window';
import { naiveStandard } from './standard';

export { naiveHidden, naiveLoss, naiveModelForward, relativeError, Weights } from './arrays';
export type { DropoutFactor } from './arrays';
export type { NaiveAttention } from './arrays';

export const NAIVE_ATTENTIONS: Readonly<Record<ModelName, NaiveAttention>> = {
  BSBR: naiveBSBR,
  Standard: naiveStandard,
  Linear: naiveLinear,
  DeltaNet: naiveDeltaNet,
  SlidingWindow: naiveSlidingWindow,
  Hopfield: naiveHopfield,
  GAU: naiveGAU,
};
