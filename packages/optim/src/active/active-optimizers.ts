/**
 * The authors' four Active optimizers, as `active(base)` over the core optimizers: one options
 * object holding the base optimizer's options and the {@link ActiveOptions}.
 */
import { adabelief, type AdabeliefOptions } from '../optimizers/adabelief.js';
import { namedChain } from '../combinators/named-chain.js';
import { withInputChecks } from '../input-checks.js';
import { adamw, adamwStages, type AdamwOptions } from '../optimizers/adamw.js';
import { radam, type RadamOptions } from '../optimizers/radam.js';
import { sgd, type SgdOptions } from '../optimizers/sgd.js';
import type { GradientTransformation } from '../transform.js';
import { checkBoolean, failOption } from '../validation.js';
import { ACTIVE_OPTION_KEYS, active, type ActiveOptions, type ActiveState } from './active.js';

/** Splits one options object into the active options and the base optimizer's options. */
function splitOptions<B extends object>(owner: string, options: ActiveOptions & B): [ActiveOptions, B] {
  if (options === undefined || options === null || typeof options !== 'object')
    failOption(owner, 'options', "an object with 'period'", options);
  const activeOptions: Record<string, unknown> = {};
  const baseOptions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if ((ACTIVE_OPTION_KEYS as readonly string[]).includes(key)) activeOptions[key] = value;
    else baseOptions[key] = value;
  }
  return [activeOptions as unknown as ActiveOptions, baseOptions as B];
}

/** Options of {@link activeSgd}: {@link SgdOptions} plus {@link ActiveOptions}. */
export type ActiveSgdOptions = SgdOptions & ActiveOptions;
/** Options of {@link activeAdamw}: {@link AdamwOptions} plus {@link ActiveOptions}, plus `gainScalesWeightDecay`. */
export type ActiveAdamwOptions = AdamwOptions &
  ActiveOptions & {
    /**
     * Whether the gain multiplies the decoupled weight decay too (default true, the authors'
     * benchmark-era `ConsciousLR.py`: θ(1 − η·λ·a)). false: the decay is unscaled,
     * θ(1 − η·λ), as in their released `active-lr/optimizers/ActiveAdam.py`.
     */
    gainScalesWeightDecay?: boolean;
  };
/** Options of {@link activeRadam}: {@link RadamOptions} plus {@link ActiveOptions}. */
export type ActiveRadamOptions = RadamOptions & ActiveOptions;
/** Options of {@link activeAdabelief}: {@link AdabeliefOptions} plus {@link ActiveOptions}. */
export type ActiveAdabeliefOptions = AdabeliefOptions & ActiveOptions;

/**
 * ActiveSGD: `active(sgd(baseOptions), activeOptions)`.
 *
 * Update: buf ← μ·buf + g (buf₁ = g), d = buf (or g + μ·buf with Nesterov), θ ← θ − η·a ⊙ d, with
 * the gain a adapted once per period (see {@link active}). The core `sgd`'s weight decay is L2
 * (added to the gradient inside the base, after the raw gradient is summed), and the gain scales
 * it; the authors' released ActiveSGD decays θ·(1 − η·wd) without the gain instead. Defaults are
 * the core `sgd`'s (momentum 0); the authors' release used momentum 0.9.
 *
 * @param options - the {@link sgd} options (`lr`, `momentum`, `dampening`, `weightDecay`,
 *   `nesterov`) and the {@link active} options (`period` required).
 * @example
 * const optimizer = activeSgd({ lr: 0.1, momentum: 0.9, period: stepsPerEpoch });
 * @see Wadi, Fredette, Senecal (arXiv 2301.10133); github.com/davoodwadi/active-lr `optimizers/ActiveSGD.py`.
 */
export function activeSgd(options: ActiveSgdOptions) {
  const [activeOptions, baseOptions] = splitOptions<SgdOptions>('activeSgd', options);
  return active(sgd(baseOptions), activeOptions);
}

/**
 * ActiveAdamW: `active(adamw(baseOptions), activeOptions)`.
 *
 * Update: m̂, v̂ as in Adam; θ ← θ − η·a ⊙ (m̂/(√v̂ + ε) + λθ). The gain scales the decoupled weight
 * decay too, as in the authors' benchmark-era code (θ(1 − η·λ·a)). With
 * `gainScalesWeightDecay: false` it does not, as in their release:
 * θ ← θ − η·(a ⊙ m̂/(√v̂ + ε) + λθ); the optimizer is then
 * `namedChain({ adam: active(scaleByAdam(…)), weightDecay, learningRate })`, so its active state
 * is `state.adam` (read it with `activeSummary(state.adam)`).
 *
 * @param options - the {@link adamw} options (`lr`, `betas`, `eps`, `weightDecay`, `amsgrad`,
 *   `mask`, `maximize`), the {@link active} options (`period` required) and
 *   `gainScalesWeightDecay` (true).
 * @example
 * const optimizer = activeAdamw({ lr: 1e-3, weightDecay: 0, period: stepsPerEpoch });
 * const released = activeAdamw({ lr: 1e-3, weightDecay: 1e-2, gainScalesWeightDecay: false, period: stepsPerEpoch });
 * @see Wadi, Fredette, Senecal (arXiv 2301.10133); github.com/davoodwadi/ConsciousLR `ConsciousLR.py`.
 */
export function activeAdamw(
  options: ActiveAdamwOptions & { gainScalesWeightDecay?: true },
): ReturnType<typeof gainOnWholeUpdate>;
export function activeAdamw(
  options: ActiveAdamwOptions & { gainScalesWeightDecay: false },
): ReturnType<typeof gainOnAdamStage>;
export function activeAdamw(
  options: ActiveAdamwOptions,
): ReturnType<typeof gainOnWholeUpdate> | ReturnType<typeof gainOnAdamStage>;
export function activeAdamw(options: ActiveAdamwOptions) {
  const owner = 'activeAdamw';
  const [activeOptions, { gainScalesWeightDecay, ...baseOptions }] = splitOptions<
    AdamwOptions & { gainScalesWeightDecay?: boolean }
  >(owner, options);
  const scaled = checkBoolean(owner, 'gainScalesWeightDecay', gainScalesWeightDecay ?? true);
  return scaled ? gainOnWholeUpdate(activeOptions, baseOptions) : gainOnAdamStage(activeOptions, baseOptions);
}

/** The gain on adamw's whole update, decay included (the benchmark-era form). */
function gainOnWholeUpdate(activeOptions: ActiveOptions, baseOptions: AdamwOptions) {
  return active(adamw(baseOptions), activeOptions);
}

/** The gain on the Adam direction alone; the decay and the learning rate follow it unscaled (the released form). */
function gainOnAdamStage(activeOptions: ActiveOptions, baseOptions: AdamwOptions) {
  const stages = adamwStages(baseOptions);
  return withInputChecks('activeAdamw', namedChain({ ...stages, adam: active(stages.adam, activeOptions) }));
}

/**
 * ActiveRAdam: `active(radam(baseOptions), activeOptions)`: standard RAdam times the gain.
 *
 * Update: with ρ_t the length of the approximated SMA, θ ← θ − η·a ⊙ r_t·m̂/(√v̂ + ε) when ρ_t > 5
 * and θ ← θ − η·a ⊙ m̂ otherwise. The authors' files use the previous step's moments (a one-step
 * lag, so their first update is 0); `laggedMoments: true` reproduces that (default false).
 * The gain scales weight decay too; the authors' files decay θ(1 − η·λ) without it.
 *
 * @param options - the {@link radam} options and the {@link active} options (`period` required).
 * @example
 * const optimizer = activeRadam({ lr: 1e-3, period: stepsPerEpoch });
 * @see Wadi, Fredette, Senecal (arXiv 2301.10133); Liu et al., "On the Variance of the Adaptive
 *   Learning Rate and Beyond" (ICLR 2020).
 */
export function activeRadam(options: ActiveRadamOptions) {
  const [activeOptions, baseOptions] = splitOptions<RadamOptions>('activeRadam', options);
  return active(radam(baseOptions), activeOptions);
}

/**
 * ActiveBelief: `active(adabelief(baseOptions), activeOptions)`: AdaBelief times the gain.
 *
 * Update: s ← β₂s + (1 − β₂)(g − m)² + ε; θ ← θ − η·a ⊙ m̂/(√ŝ + ε). `rectify: true` gives the
 * authors' rectified form (their release's default; Vane's default is false), and
 * `decoupledWeightDecay: false` their L2 mode (`weight_decouple=False`). The gain scales a
 * decoupled decay too; the authors' release decays θ(1 − η·λ) without it.
 *
 * @param options - the {@link adabelief} options and the {@link active} options (`period` required).
 * @example
 * const optimizer = activeAdabelief({ lr: 1e-3, period: stepsPerEpoch });
 * @see Wadi, Fredette, Senecal (arXiv 2301.10133); Zhuang et al., "AdaBelief Optimizer" (NeurIPS 2020).
 */
export function activeAdabelief(options: ActiveAdabeliefOptions) {
  const [activeOptions, baseOptions] = splitOptions<AdabeliefOptions>('activeAdabelief', options);
  return active(adabelief(baseOptions), activeOptions);
}

/** The state of the Active optimizers: an {@link ActiveState} over the base's state. */
export type ActiveOptimizerState<T> = T extends GradientTransformation<infer S> ? ActiveState<S> : never;
