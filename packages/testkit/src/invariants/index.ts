import type { Invariant } from '../invariant';
import { activeGainsFollowSigns } from './active-gains-follow-signs';
import { activeNeutralEqualsBase } from './active-neutral-equals-base';
import { backendAgreement } from './backend-agreement';
import { chainAssociativity } from './chain-associativity';
import { chainIdentity } from './chain-identity';
import { descentOnConvexQuadratic } from './descent-on-convex-quadratic';
import { determinism } from './determinism';
import { finiteState } from './finite-state';
import { graftNormLaw } from './graft-norm-law';
import { graftSelfEqualsBase } from './graft-self-equals-base';
import { learningRateLinearity } from './learning-rate-linearity';
import { maskedLeavesUntouched } from './masked-leaves-untouched';
import { multiStepsLargeBatch } from './multi-steps-large-batch';
import { noLeaks } from './no-leaks';
import { nonZeroFirstStep } from './non-zero-first-step';
import { positiveScaleInvariance } from './positive-scale-invariance';
import { stateRoundTrip } from './state-round-trip';
import { stateless } from './stateless';
import { zeroGradientNoOp } from './zero-gradient-no-op';

export {
  activeGainsFollowSigns,
  activeNeutralEqualsBase,
  backendAgreement,
  chainAssociativity,
  chainIdentity,
  descentOnConvexQuadratic,
  determinism,
  finiteState,
  graftNormLaw,
  graftSelfEqualsBase,
  learningRateLinearity,
  maskedLeavesUntouched,
  multiStepsLargeBatch,
  noLeaks,
  nonZeroFirstStep,
  positiveScaleInvariance,
  stateRoundTrip,
  stateless,
  zeroGradientNoOp,
};

/** Every invariant the kit ships, in the order `checkOptimizer` runs them (cheap ones first). */
export const ALL_INVARIANTS: readonly Invariant[] = [
  determinism,
  stateRoundTrip,
  finiteState,
  noLeaks,
  zeroGradientNoOp,
  nonZeroFirstStep,
  stateless,
  positiveScaleInvariance,
  learningRateLinearity,
  descentOnConvexQuadratic,
  chainIdentity,
  chainAssociativity,
  maskedLeavesUntouched,
  multiStepsLargeBatch,
  activeNeutralEqualsBase,
  activeGainsFollowSigns,
  graftSelfEqualsBase,
  graftNormLaw,
  backendAgreement,
];
