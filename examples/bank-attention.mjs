/**
 * @file Self-attention's point in one picture: a static embedding gives "bank" the same vector in "money bank
 * grows" and in "river bank flows"; one self-attention layer, trained on a couple of dozen short sentences, gives
 * the two "bank"s different vectors by mixing in the words around them. Prints the cosine similarity of the two
 * "bank" vectors before and after, and the attention weights of each "bank" over its sentence.
 * Run: `node examples/bank-attention.mjs [seed]` after `pnpm build` (the model is in bank-attention-core.mjs).
 */
import { corpus, runBankExample } from './bank-attention-core.mjs';

const seed = Number(process.argv[2] ?? 0);
if (!Number.isInteger(seed))
  throw new Error(`bank-attention: seed must be an integer (got ${process.argv[2]})`);

const result = runBankExample({ seed });
const [first, second] = result.attention;
const losses = result.losses;

console.log(
  `One single-head self-attention layer, trained for ${losses.length} steps of Adam on ${corpus.length} short ` +
    `sentences (seed ${seed}, loss ${losses[0].toFixed(3)} → ${losses.at(-1).toFixed(3)}).`,
);
console.log(`\nCosine similarity of "bank" in "${first.sentence}" and in "${second.sentence}":`);
console.log(`  static embedding (the same row)  ${format(result.staticCosine)}`);
console.log(`  after the untrained layer        ${format(result.untrainedCosine)}`);
console.log(`  after the trained layer          ${format(result.contextualCosine)}`);

console.log('\nWhat each "bank" attends to (its row of attention weights):');
for (const { sentence, words, weights } of result.attention) {
  console.log(`  ${sentence}`);
  const width = Math.max(...words.map((w) => w.length));
  words.forEach((word, i) => {
    const bar = '█'.repeat(Math.round(weights[i] * 40));
    console.log(`    ${word.padEnd(width)}  ${weights[i].toFixed(3)}  ${bar}`.trimEnd());
  });
}

/** A signed number with three decimals, aligned in a column. */
function format(value) {
  return value.toFixed(3).padStart(6);
}
