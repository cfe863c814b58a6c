/**
 * The gradient rule table: one rule for every op the tensor core records.
 *
 * Typed over `OpName`, so adding an op to `OpAttributes` without a rule here does not compile.
 * See docs/autodiff.md ("Adding a gradient rule").
 */
import type { GradientRuleTable } from './gradient-rule.js';
import { convolutionRules } from './rules/convolution-rules.js';
import { binaryRules, unaryRules } from './rules/elementwise-rules.js';
import { indexingRules } from './rules/indexing-rules.js';
import { matmulRules } from './rules/matmul-rules.js';
import { movementRules } from './rules/movement-rules.js';
import { poolingRules } from './rules/pooling-rules.js';
import { reductionRules } from './rules/reduction-rules.js';
import { softmaxRules } from './rules/softmax-rules.js';

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
  ...softmaxRules,
  ...movementRules,
  ...indexingRules,
  ...matmulRules,
  ...convolutionRules,
  ...poolingRules,
};
