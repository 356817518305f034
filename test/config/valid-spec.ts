// A small valid spec the config tests and the spec corpus damage in their own ways.
export const VALID = `name: demo
seed: 7
dataset: { name: mnist, train_limit: 100 }
models:
  teacher: { layers: [32, 16] }
  student: { layers: [8] }
training:
  epochs: 2
  optimizer: { name: adam, lr: 0.01 }
distillation: { temperature: 3, alpha: 0.25 }
`;
