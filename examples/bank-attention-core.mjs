/**
 * @file The "bank" example's model, training and measurements, without printing (examples/bank-attention.mjs
 * prints them; packages/nn-attention/test/bank-example.test.ts checks them). A static embedding gives "bank" one
 * vector wherever it appears; one self-attention layer, trained to tell a money bank from a river bank, mixes
 * each "bank" with the words around it, so the two banks of "money bank grows" and "river bank flows" get
 * different vectors.
 */
import { crossEntropy } from '@tensorloom/losses';
import { Embedding, Linear, Module } from '@tensorloom/nn';
import { MultiheadAttention, paddingMask } from '@tensorloom/nn-attention';
import { Adam } from '@tensorloom/optim';
import { manualSeed, noGrad, tensor } from '@tensorloom/tensor';

/**
 * The training sentences, each labelled with what it is about. "money" or "river" is in every money and river
 * sentence; "bank", "grows" and "flows" are in as many of one as of the other, and alone they are labelled
 * "either", so they say nothing about the sense: only "money" and "river" do.
 */
export const corpus = [
  ['money bank grows', 'money'],
  ['the bank lends money', 'money'],
  ['she put money in the bank', 'money'],
  ['the bank holds my money', 'money'],
  ['money at the bank earns interest', 'money'],
  ['my money sits in the bank', 'money'],
  ['money flows into the bank', 'money'],
  ['money in the bank grows', 'money'],
  ['money flows out of the bank', 'money'],
  ['river bank flows', 'river'],
  ['fish near the river bank', 'river'],
  ['the river bank floods', 'river'],
  ['we sat on the river bank', 'river'],
  ['the bank of the river is muddy', 'river'],
  ['grass grows on the river bank', 'river'],
  ['ducks swim by the river bank', 'river'],
  ['the river by the bank flows', 'river'],
  ['moss grows on the river bank', 'river'],
  ['bank', 'either'],
  ['grows', 'either'],
  ['flows', 'either'],
  ['the bank', 'either'],
  ['near the bank', 'either'],
];

/** The two sentences whose "bank"s the example compares. */
export const probes = ['money bank grows', 'river bank flows'];

const senses = ['money', 'river'];
/** Probability targets over `senses`. */
const senseTargets = { money: [1, 0], river: [0, 1], either: [0.5, 0.5] };
const padding = '<pad>';

/**
 * Trains the layer and measures the probes' two "bank"s: their cosine similarity as static embeddings (1: the
 * same row of the table), after the untrained layer and after the trained one, and each one's attention weights
 * over its sentence. Seeded: the same options give the same numbers.
 * @example runBankExample({ seed: 0 }).contextualCosine // −0.997 (the static vectors: 1)
 */
export function runBankExample({ seed = 0, steps = 300, embedDim = 16, learningRate = 0.05 } = {}) {
  manualSeed(seed);
  const vocabulary = [padding, ...new Set(corpus.flatMap(([text]) => text.split(' ')))];
  const model = new BankSenseModel(vocabulary, embedDim);
  const untrainedCosine = measure(model).contextualCosine;

  // The objective: every word's contextual vector predicts what its sentence is about. A word alone cannot:
  // "bank" (like "the" or "grows") has to find "money" or "river" among its neighbours and take it in.
  const batch = encode(
    model,
    corpus.map(([text]) => text),
  );
  const length = batch.ids.shape[1];
  const realRows = []; // flat [B·T] positions of the words, padding left out
  const targets = [];
  corpus.forEach(([text, sense], b) => {
    text.split(' ').forEach((_, t) => {
      realRows.push(b * length + t);
      targets.push(senseTargets[sense]);
    });
  });
  const rows = tensor(realRows, { dtype: 'int32' }); // [N]
  const target = tensor(targets, { dtype: 'float32' }); // [N, 2]
  const optimizer = new Adam(model.parameters(), { lr: learningRate });
  const losses = [];
  for (let step = 0; step < steps; step++) {
    optimizer.zeroGrad();
    const { contextual } = model.forward(batch); // [B, T, D]
    const logits = model.senseHead.forward(contextual).reshape([-1, senses.length]).indexSelect(0, rows); // [N, 2]
    const loss = crossEntropy(logits, target);
    loss.backward();
    optimizer.step();
    losses.push(loss.item());
  }
  return { ...measure(model), untrainedCosine, losses };
}

/** Embedding → one single-head self-attention layer → a linear head scoring the two senses. */
class BankSenseModel extends Module {
  constructor(vocabulary, embedDim) {
    super();
    this.vocabulary = vocabulary;
    this.embedding = this.module('embedding', new Embedding(vocabulary.length, embedDim));
    // One head, so each "bank" has one row of weights to read. No positional encoding: which words are
    // present tells the senses apart, not their order.
    this.attention = this.module(
      'attention',
      new MultiheadAttention({ embedDim, numHeads: 1, batchFirst: true }),
    );
    this.senseHead = this.module('senseHead', new Linear(embedDim, senses.length));
  }

  /** Each word's static vector, its contextual vector, and the attention weights (row t: word t's). */
  forward({ ids, keyPaddingMask }) {
    const embedded = this.embedding.forward(ids); // [B, T, D]
    const [contextual, weights] = this.attention.forward(embedded, embedded, embedded, { keyPaddingMask }); // [B, T, D], [B, T, T]
    return { embedded, contextual, weights };
  }
}

/** Token ids [B, T], padded to the longest sentence, and the padding mask (true at padding). */
function encode(model, sentences) {
  const words = sentences.map((text) => text.split(' '));
  const length = Math.max(...words.map((w) => w.length));
  const ids = words.flatMap((w) =>
    Array.from({ length }, (_, t) => model.vocabulary.indexOf(w[t] ?? padding)),
  );
  return {
    ids: tensor(ids, { shape: [words.length, length], dtype: 'int32' }),
    keyPaddingMask: paddingMask(words.map((w) => w.length)),
  };
}

/** Both probes' "bank" vectors compared, and each one's attention over its own words. */
function measure(model) {
  return noGrad(() => {
    const { embedded, contextual, weights } = model.forward(encode(model, probes));
    // Row b, position of "bank": a plain array.
    const bankRow = (t, b, text) =>
      Array.from(t.select(0, b).select(0, text.split(' ').indexOf('bank')).dataSync());
    const [staticA, staticB] = probes.map((text, b) => bankRow(embedded, b, text));
    const [contextualA, contextualB] = probes.map((text, b) => bankRow(contextual, b, text));
    return {
      staticCosine: cosine(staticA, staticB),
      contextualCosine: cosine(contextualA, contextualB),
      attention: probes.map((text, b) => {
        const words = text.split(' ');
        return { sentence: text, words, weights: bankRow(weights, b, text).slice(0, words.length) };
      }),
    };
  });
}

/** cos θ = a·b / (‖a‖ ‖b‖) */
function cosine(a, b) {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  return dot / Math.sqrt(normA * normB);
}
