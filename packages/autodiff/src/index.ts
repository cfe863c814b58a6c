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
import './tensor-backward';

export { grad, valueAndGrad, type GradOptions, type GradientsOf } from './value-and-grad';
export { vjp, type VjpFunction, type VjpOptions } from './vjp';
export { jacobian, type JacobianOptions } from './jacobian';
export { hvp } from './hessian-vector-product';
export { customGrad, type CustomGradContext, type CustomGradOptions, type CustomForwardResult, type CustomBackwardResult } from './custom-grad';
export { noGrad, stopGradient, detach } from './no-grad';
export { backward, setRequiresGrad, zeroGrad, type BackwardOptions } from './tensor-backward';
export { checkGrad, type CheckGradOptions, type CheckGradReport, type GradientComparison } from './check-grad';
export { sumToShape } from './sum-to-shape';
export { GRADIENT_RULES } from './gradient-rules';
export type { GradientRule, GradientContext, GradientRuleTable } from './gradient-rule';
export type { Argnums } from './differentiable-arguments';
