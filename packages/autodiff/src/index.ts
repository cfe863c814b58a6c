/**
 * @vane/autodiff: reverse-mode automatic differentiation for @vane/tensor.
 *
 * Functional (JAX style): `grad`, `valueAndGrad`, `vjp`, `jacobian`, `hvp`, `customGrad`,
 * `stopGradient`. Imperative (PyTorch style): `x.requiresGrad_()`, `loss.backward()`,
 * `x.grad`, `noGrad`, `x.detach()`. Numerical checking: `checkGrad`. Guide: docs/autodiff.md.
 *
 * @example
 * import { tensor } from '@vane/tensor';
 * import { grad } from '@vane/autodiff';
 * grad((x) => x.square().sum())(tensor([1, 2, 3])); // [2, 4, 6]
 */
import './tensor-backward.js';

export { grad, valueAndGrad, type GradOptions, type GradientsOf } from './value-and-grad.js';
export { vjp, type VjpFunction, type VjpOptions } from './vjp.js';
export { jacobian, type JacobianOptions } from './jacobian.js';
export { hvp } from './hessian-vector-product.js';
export {
  customGrad,
  type CustomGradContext,
  type CustomGradOptions,
  type CustomForwardResult,
  type CustomBackwardResult,
} from './custom-grad.js';
export { noGrad, stopGradient, detach } from './no-grad.js';
export { backward, setRequiresGrad, zeroGrad, type BackwardOptions } from './tensor-backward.js';
export { checkGrad, type CheckGradOptions, type CheckGradReport, type GradientComparison } from './check-grad.js';
export { sumToShape } from './sum-to-shape.js';
export { GRADIENT_RULES } from './gradient-rules.js';
export type { GradientRule, GradientContext, GradientRuleTable } from './gradient-rule.js';
export type { Argnums } from './differentiable-arguments.js';
