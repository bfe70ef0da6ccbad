/**
 * @file A small checkpoint for the serve tests: word tokenizers built on the built-in corpus and a freshly
 * initialised (seeded, untrained) attention model, saved as `translator train` saves one. Untrained is enough:
 * the tests compare what the server, the CLI and the browser make of the same weights.
 */
import { manualSeed } from '@tensorloom/tensor';
import { checkpointFormat } from '../src/checkpoint/config.js';
import { saveCheckpoint } from '../src/checkpoint/files.js';
import { builtinCorpus } from '../src/corpus/builtin.js';
import { buildModel } from '../src/models/build.js';
import { TextCodec, tokenizersToJson } from '../src/text/text-codec.js';

export async function writeServeCheckpoint(dir: string): Promise<void> {
  manualSeed(7);
  const { train } = builtinCorpus({ seed: 5, size: 400, maxLength: 10 });
  const src = TextCodec.build(train.map((pair) => pair.src));
  const tgt = TextCodec.build(train.map((pair) => pair.tgt));
  const model = buildModel({
    kind: 'attention',
    srcVocabSize: src.vocab.size,
    tgtVocabSize: tgt.vocab.size,
    embeddingDim: 16,
    hiddenSize: 16,
  });
  await saveCheckpoint(dir, {
    config: {
      format: checkpointFormat,
      version: 1,
      model: model.config,
      languages: { src: 'en', tgt: 'fr' },
      training: {},
    },
    tokenizers: tokenizersToJson(src, tgt),
    model,
  });
}
