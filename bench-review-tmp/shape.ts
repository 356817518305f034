import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/backend/select.js';
import { predictInBatches, applyInBatches } from '../src/runner/model.js';
import { forwardStages } from '../src/runner/compiled-training.js';

async function main() {
  for (const blas of ['off', 'auto'] as const) {
    await selectBackend('wasm', { blas });
    console.log('blas', blas, tf.getBackend());
    // 1. A Dense layer on a rank-3 input (as a saved model.json may declare it): tfjs refuses [n, 20].
    const m1 = tf.sequential();
    m1.add(tf.layers.dense({ units: 3, inputShape: [4, 5], activation: 'relu' }));
    m1.add(tf.layers.dense({ units: 2 }));
    const x = tf.randomNormal([6, 20], 0, 1, 'float32', 1) as tf.Tensor2D;
    console.log(' rank-3 dense: stages', forwardStages(m1, x)?.length);
    try { const p = predictInBatches(m1, x, 4); console.log(' compiled result', p.shape, Array.from(p.dataSync()).slice(0, 4)); } catch (e) { console.log(' compiled threw', (e as Error).message.split('\n')[0]); }
    try { applyInBatches(x, 4, (b) => m1.apply(b, { training: false }) as tf.Tensor2D); console.log(' tfjs ok'); } catch (e) { console.log(' tfjs threw', (e as Error).message.split('\n')[0]); }
    // 2. A functional model with two outputs: tfjs gives a list; forwardStages chains the branches.
    const input = tf.input({ shape: [8] });
    const h = tf.layers.dense({ units: 2, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
    const o1 = tf.layers.dense({ units: 3 }).apply(h) as tf.SymbolicTensor;
    const o2 = tf.layers.dense({ units: 4000 }).apply(h) as tf.SymbolicTensor;
    const m2 = tf.model({ inputs: input, outputs: [o1, o2] });
    const x2 = tf.randomNormal([5, 8], 0, 1, 'float32', 2) as tf.Tensor2D;
    console.log(' two outputs: stages', forwardStages(m2, x2)?.map((s) => s.kind === 'dense' ? s.kernel.shape.join('x') : s.kind));
    try { const p = predictInBatches(m2, x2, 4); console.log(' compiled result', p.shape, Array.from(p.dataSync()).slice(0, 4)); } catch (e) { console.log(' compiled threw', (e as Error).message.split('\n')[0]); }
    const out = m2.apply(x2) as tf.Tensor[];
    console.log(' tfjs gives', Array.isArray(out) ? out.map((t) => t.shape.join('x')) : 'one');
  }
}
main();
