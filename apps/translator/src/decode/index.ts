/** @file Decoding: greedy and beam search over any model's DecodingState, and batched translation. */

export { type BeamSearchOptions, beamSearch, lengthPenalty } from './beam.js';
export { greedySearch } from './greedy.js';
export type { Hypothesis, SearchOptions } from './search.js';
export { type TranslateOptions, type Translation, translate } from './translate.js';
