/**
 * The gradient rule table: one rule for every op the tensor core records.
 *
 * Typed over `OpName`, so adding an op to `OpAttributes` without a rule here does not compile.
 * See docs/autodiff.md ("Adding a gradient rule").
 */
import type { GradientRuleTable } from './gradient-rule';
import { binaryRules, unaryRules } from './rules/elementwise-rules';
import { linalgRules } from './rules/linalg-rules';
import { movementRules } from './rules/movement-rules';
import { reductionRules } from './rules/reduction-rules';

/**
 * Every recorded op's reverse-mode rule.
 *
 * @example
 * GRADIENT_RULES.exp({ inputs: [x], output: y, attributes: {}, outputGradient: g, needsGradient: [true] }) // [g·y]
 */
export const GRADIENT_RULES: GradientRuleTable = {
  ...unaryRules,
  ...binaryRules,
  ...reductionRules,
  ...movementRules,
  ...linalgRules,
};
