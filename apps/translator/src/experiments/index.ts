/** @file The experiments `translator experiment NAME` runs, by name. */
import { attentionVsLength } from './attention-vs-length.js';
import type { Experiment } from './experiment.js';
import { reverseSource } from './reverse-source.js';
import { transformerVsLstm } from './transformer-vs-lstm.js';

export const experiments: readonly Experiment[] = [reverseSource, attentionVsLength, transformerVsLstm];

export function findExperiment(name: string): Experiment | undefined {
  return experiments.find((e) => e.name === name);
}
