import { describe, expect, it } from 'vitest';
import { EOS, PAD, SOS, UNK, Vocab } from '../src/text/vocab.js';
import { WordTokenizer } from '../src/text/word-tokenizer.js';

describe('Vocab', () => {
  const sentences = [
    ['the', 'cat', 'sat'],
    ['the', 'dog', 'sat'],
    ['the', 'bird', 'flew'],
  ];

  it('puts <pad>=0, <sos>, <eos>, <unk> first, then tokens by frequency, ties alphabetically', () => {
    const vocab = Vocab.build(sentences);
    expect([vocab.padId, vocab.sosId, vocab.eosId, vocab.unkId]).toEqual([0, 1, 2, 3]);
    expect([0, 1, 2, 3].map((id) => vocab.token(id))).toEqual([PAD, SOS, EOS, UNK]);
    expect(vocab.toJSON().tokens.slice(4)).toEqual(['the', 'sat', 'bird', 'cat', 'dog', 'flew']);
    expect(vocab.size).toBe(10);
  });

  it('maps unknown tokens to <unk> and decodes up to <eos>, without specials', () => {
    const vocab = Vocab.build(sentences);
    expect(vocab.encode(['the', 'fish', 'sat'])).toEqual([4, 3, 5]);
    expect(vocab.decode([1, 4, 3, 5, 2, 4, 0])).toEqual(['the', UNK, 'sat']);
    expect(vocab.decode([4, 2, 5], { stopAtEos: false })).toEqual(['the', 'sat']);
    expect(vocab.decode([1, 4, 2], { stopAtEos: false, skipSpecial: false })).toEqual([SOS, 'the', EOS]);
    expect(vocab.has('cat')).toBe(true);
    expect(vocab.has('fish')).toBe(false);
    expect(() => vocab.token(99)).toThrow('Vocab.token: id must be an integer in [0, 10) (got 99)');
  });

  it('applies the frequency cut-off and the size limit (specials included)', () => {
    expect(Vocab.build(sentences, { minFrequency: 2 }).toJSON().tokens.slice(4)).toEqual(['the', 'sat']);
    expect(Vocab.build(sentences, { maxSize: 6 }).toJSON().tokens).toEqual([
      PAD,
      SOS,
      EOS,
      UNK,
      'the',
      'sat',
    ]);
    expect(() => Vocab.build(sentences, { maxSize: 3 })).toThrow(/maxSize must be at least 4/);
  });

  it('never duplicates a special token that appears in the text', () => {
    const vocab = Vocab.build([['<unk>', 'a', '<pad>']]);
    expect(vocab.toJSON().tokens).toEqual([PAD, SOS, EOS, UNK, 'a']);
  });

  it('survives a JSON round trip and rejects broken tables', () => {
    const vocab = Vocab.build(sentences);
    const restored = Vocab.fromJSON(JSON.parse(JSON.stringify(vocab)));
    expect(restored.toJSON()).toEqual(vocab.toJSON());
    expect(restored.encode(['dog'])).toEqual(vocab.encode(['dog']));
    expect(() => Vocab.fromJSON({ type: 'vocab', version: 1, tokens: ['a'] })).toThrow(/id 0 must be <pad>/);
    expect(() =>
      Vocab.fromJSON({ type: 'vocab', version: 1, tokens: [PAD, SOS, EOS, UNK, 'a', 'a'] }),
    ).toThrow(/appears twice/);
  });
});

describe('WordTokenizer', () => {
  it('splits words and punctuation, and joins them back', () => {
    const tokenizer = new WordTokenizer({ lowercase: true });
    const tokens = tokenizer.encode("Don't stop, (please) — it's 3.5 km!");
    expect(tokens).toEqual(["don't", 'stop', ',', '(', 'please', ')', '—', "it's", '3.5', 'km', '!']);
    expect(tokenizer.decode(tokens)).toBe("don't stop, (please) — it's 3.5 km!");
    expect(tokenizer.encode('   ')).toEqual([]);
  });

  it('keeps case by default and survives a JSON round trip', () => {
    const tokenizer = new WordTokenizer();
    expect(tokenizer.encode('Le Chat.')).toEqual(['Le', 'Chat', '.']);
    const restored = WordTokenizer.fromJSON(JSON.parse(JSON.stringify(tokenizer)));
    expect(restored.toJSON()).toEqual({ type: 'word', version: 1, lowercase: false, splitPunctuation: true });
    expect(() => WordTokenizer.fromJSON({ type: 'bpe' } as never)).toThrow(/expected \{ type: 'word'/);
  });
});
