import type { Invariant } from '../invariant.js';
import { activeGainsFollowSigns } from './active-gains-follow-signs.js';
import { activeNeutralEqualsBase } from './active-neutral-equals-base.js';
import { backendAgreement } from './backend-agreement.js';
import { chainAssociativity } from './chain-associativity.js';
import { chainIdentity } from './chain-identity.js';
import { descentOnConvexQuadratic } from './descent-on-convex-quadratic.js';
import { determinism } from './determinism.js';
import { finiteState } from './finite-state.js';
import { graftNormLaw } from './graft-norm-law.js';
import { graftSelfEqualsBase } from './graft-self-equals-base.js';
import { learningRateLinearity } from './learning-rate-linearity.js';
import { maskedLeavesUntouched } from './masked-leaves-untouched.js';
import { multiStepsLargeBatch } from './multi-steps-large-batch.js';
import { noLeaks } from './no-leaks.js';
import { nonZeroFirstStep } from './non-zero-first-step.js';
import { positiveScaleInvariance } from './positive-scale-invariance.js';
import { stateRoundTrip } from './state-round-trip.js';
import { stateless } from './stateless.js';
import { zeroGradientNoOp } from './zero-gradient-no-op.js';

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
