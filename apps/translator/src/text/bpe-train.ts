/**
 * @file Learning byte-pair-encoding merges (Sennrich et al., 2016, https://arxiv.org/abs/1508.07909): start from
 * characters, the last one of each word marked with `</w>`, and repeatedly merge the most frequent adjacent
 * pair. Pair counts are updated only in the words a merge touches, and a heap with lazy deletion finds the
 * next pair, so training is fast on real corpora.
 */
import { Heap } from './heap.js';

export const endOfWord = '</w>';

export interface LearnedMerges {
  /** The starting symbols, sorted: every character seen, alone and with `</w>`. */
  alphabet: string[];
  /** Merges in the order learned: (left, right) → left + right. */
  merges: [string, string][];
}

/** A word as its starting symbols: "low" → ["l", "o", "w</w>"]. */
export function wordSymbols(word: string): string[] {
  const chars = Array.from(word);
  chars[chars.length - 1] += endOfWord;
  return chars;
}

interface Candidate {
  count: number;
  key: number;
}

// Symbol ids are below 2^21, so a pair (a, b) packs exactly into the double a·2^21 + b.
const pairShift = 2 ** 21;

/**
 * Merges until the vocabulary (alphabet and merged symbols, distinct) has `vocabSize` symbols or no pair occurs `minFrequency`
 * times. Ties go to the pair whose (left, right) strings sort first, so the result depends only on the counts.
 */
export function learnMerges(
  wordCounts: ReadonlyMap<string, number>,
  vocabSize: number,
  minFrequency = 2,
): LearnedMerges {
  const symbols: string[] = [];
  const ids = new Map<string, number>();
  const intern = (symbol: string): number => {
    let id = ids.get(symbol);
    if (id === undefined) {
      id = symbols.length;
      if (id >= pairShift) throw new RangeError('learnMerges: more than 2^21 distinct symbols');
      symbols.push(symbol);
      ids.set(symbol, id);
    }
    return id;
  };
  const words: number[][] = [];
  const counts: number[] = [];
  for (const [word, count] of wordCounts) {
    if (word === '') continue;
    words.push(wordSymbols(word).map(intern));
    counts.push(count);
  }
  const alphabet = [...symbols].sort(compareStrings);

  const pairCounts = new Map<number, number>();
  // Which words contain each pair (possibly no longer: entries are not removed when a merge takes it away).
  const pairWords = new Map<number, Set<number>>();
  const wordsWith = (key: number): Set<number> => {
    let where = pairWords.get(key);
    if (!where) {
      where = new Set();
      pairWords.set(key, where);
    }
    return where;
  };
  words.forEach((word, w) => {
    for (let i = 0; i + 1 < word.length; i++) {
      const key = word[i] * pairShift + word[i + 1];
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + counts[w]);
      wordsWith(key).add(w);
    }
  });

  const left = (key: number) => symbols[Math.floor(key / pairShift)];
  const right = (key: number) => symbols[key % pairShift];
  const heap = new Heap<Candidate>((a, b) => {
    if (a.count !== b.count) return a.count > b.count;
    const byLeft = compareStrings(left(a.key), left(b.key));
    return byLeft !== 0 ? byLeft < 0 : compareStrings(right(a.key), right(b.key)) < 0;
  });
  for (const [key, count] of pairCounts) heap.push({ count, key });

  const merges: [string, string][] = [];
  // `symbols` holds every distinct symbol so far: the alphabet and each merge's result.
  while (symbols.length < vocabSize) {
    const best = heap.pop();
    if (best === undefined || best.count < minFrequency) break;
    if (pairCounts.get(best.key) !== best.count) continue; // stale entry: the count changed since
    const a = Math.floor(best.key / pairShift);
    const b = best.key % pairShift;
    const merged = intern(symbols[a] + symbols[b]);
    merges.push([symbols[a], symbols[b]]);

    const changed = new Set<number>();
    for (const w of pairWords.get(best.key) ?? []) {
      const before = words[w];
      const after = mergePair(before, a, b, merged);
      if (after.length === before.length) continue; // the pair left this word in an earlier merge
      words[w] = after;
      forEachPair(before, (key) => {
        pairCounts.set(key, (pairCounts.get(key) ?? 0) - counts[w]);
        changed.add(key);
      });
      forEachPair(after, (key) => {
        pairCounts.set(key, (pairCounts.get(key) ?? 0) + counts[w]);
        wordsWith(key).add(w);
        changed.add(key);
      });
    }
    pairWords.delete(best.key);
    for (const key of changed) {
      const count = pairCounts.get(key) ?? 0;
      if (count > 0) heap.push({ count, key });
      else pairCounts.delete(key);
    }
  }
  return { alphabet, merges };
}

/** Replaces each non-overlapping (a, b), left to right, by `merged`. */
export function mergePair(word: readonly number[], a: number, b: number, merged: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < word.length; i++) {
    if (i + 1 < word.length && word[i] === a && word[i + 1] === b) {
      out.push(merged);
      i++;
    } else {
      out.push(word[i]);
    }
  }
  return out;
}

function forEachPair(word: readonly number[], visit: (key: number) => void): void {
  for (let i = 0; i + 1 < word.length; i++) visit(word[i] * pairShift + word[i + 1]);
}

/** Code-unit order, the same in every JavaScript engine and locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
