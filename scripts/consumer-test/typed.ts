// Type-checked by the consumer test with `tsc --strict` under node16 and bundler resolution,
// with no @types/node and no skipLibCheck: every entry point, the autodiff augmentation of
// Tensor, explicit resource management, and the Node-only subpaths.
import { tensor, matmul, type Tensor } from '@vane/tensor';
import { grad, valueAndGrad } from '@vane/autodiff';
import { adam, sgd, applyUpdates, type TensorTree } from '@vane/optim';
import { Sequential, Linear, ReLU, crossEntropy, fit, accuracy, type FitResult } from '@vane/nn';
import { saveCheckpoint, loadSafetensors } from '@vane/nn/node';
import { DataLoader, loadDigits, labeledImageDataset } from '@vane/datasets';
import { loadIdx } from '@vane/datasets/node';
import { isGpuAvailable, gpuInfo } from '@vane/gpu';

const x: Tensor = tensor([
  [1, 2],
  [3, 4],
]);
const y = matmul(x, x);
const g: Tensor = grad((t: Tensor) => t.square().sum())(x);
const leaf = tensor([1, 2, 3]).requiresGrad_();
leaf.square().sum().backward();
const leafGrad: Tensor | undefined = leaf.grad ?? undefined;
const [value] = valueAndGrad((t: Tensor) => t.sum())(x);
const disposable = tensor([1]);
disposable[Symbol.dispose]();
const model = new Sequential(new Linear(64, 16), new ReLU(), new Linear(16, 10));
const loader = new DataLoader(labeledImageDataset(loadDigits({ normalize: true }), { flatten: true }), {
  batchSize: 64,
});
const result: FitResult = fit(model, adam({ lr: 1e-3 }), loader, {
  epochs: 1,
  loss: crossEntropy,
  metrics: { accuracy },
  progress: false,
});
const params = model.parameters() as TensorTree;
const optimizer = sgd({ lr: 0.1 });
const state = optimizer.init(params);
const [updates] = optimizer.update(params, state, params);
const next: TensorTree = applyUpdates(params, updates);
const fileFunctions: unknown[] = [saveCheckpoint, loadSafetensors, loadIdx];
const available: boolean = isGpuAvailable();
export { y, g, leafGrad, value, result, next, fileFunctions, available, gpuInfo };
