/** Types of bank-attention-core.mjs, for the nn-attention test that runs it. */

export type Sense = 'money' | 'river' | 'either';

/** The training sentences, each with what it is about. */
export declare const corpus: ReadonlyArray<readonly [text: string, sense: Sense]>;

/** The two sentences whose "bank"s the example compares. */
export declare const probes: readonly string[];

export interface BankExampleOptions {
  /** Seeds the global generator, so the same options give the same numbers (default 0). */
  seed?: number;
  /** Adam steps over the whole corpus (default 300). */
  steps?: number;
  /** D: the width of the embeddings and of the attention (default 16). */
  embedDim?: number;
  /** Adam's learning rate (default 0.05). */
  learningRate?: number;
}

/** One probe's "bank" and its attention weights over the probe's words (they sum to 1). */
export interface BankAttention {
  sentence: string;
  words: string[];
  weights: number[];
}

export interface BankExampleResult {
  /** Cosine similarity of the two "bank"s' static embeddings: 1, the same row of the table. */
  staticCosine: number;
  /** ... of their outputs from the attention layer before training. */
  untrainedCosine: number;
  /** ... of their outputs from the trained attention layer. */
  contextualCosine: number;
  /** Each probe's "bank" row of attention weights, trained. */
  attention: BankAttention[];
  /** The training loss at each step. */
  losses: number[];
}

/** Trains the embedding, the single-head self-attention layer and the sense head, and measures the probes. */
export declare function runBankExample(options?: BankExampleOptions): BankExampleResult;
