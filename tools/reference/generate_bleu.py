#!/usr/bin/env python3
"""Generate NLTK reference values for the corpus BLEU of @tensorloom/translator.

Run from the repository root with Debian's system python and its NLTK (apt-get install -y python3-nltk):

    /usr/bin/python3 tools/reference/generate_bleu.py

Writes apps/translator/test/fixtures/bleu-nltk.json. Deterministic (fixed seed, fixed case order).

Every case is a small corpus of pre-tokenised sentences (tokens joined by single spaces) with one to three
references per hypothesis, scored by nltk.translate.bleu_score.corpus_bleu twice:

- `bleu`: no smoothing (NLTK's method0). sacreBLEU with smooth_method='none' and tokenize='none' computes the
  same number, except that NLTK scores a corpus with no match of some order as ~1e-77 where sacreBLEU gives 0.
- `bleuMethod3`: NLTK's method3, the "NIST geometric sequence smoothing" of mteval-v13a.pl, which is
  sacreBLEU's default smooth_method='exp' at the corpus level: the k-th order with no match counts
  1 / (2^k * total) instead of 0.

NLTK and sacreBLEU differ on hypotheses shorter than n tokens: NLTK adds max(1, count) n-grams to the
order-n denominator, sacreBLEU adds count (0). So every hypothesis here has at least 4 tokens; the
difference itself is tested by hand in apps/translator/test/bleu.test.ts.
"""

from __future__ import annotations

import json
import os
import platform
import random

import nltk
from nltk.translate.bleu_score import SmoothingFunction, corpus_bleu

SEED = 20240613
OUT_PATH = os.path.join("apps", "translator", "test", "fixtures", "bleu-nltk.json")
WORDS = ["the", "cat", "dog", "sat", "on", "a", "mat", "red", "big", "ran", "to", "house", "and", "it"]
MIN_HYPOTHESIS_TOKENS = 4

rng = random.Random(SEED)


def perturb(tokens: list[str], edits: int) -> list[str]:
    """A reference made from a hypothesis by random substitutions, deletions and insertions."""
    out = list(tokens)
    for _ in range(edits):
        kind = rng.choice(["substitute", "delete", "insert"])
        if kind == "substitute" and out:
            out[rng.randrange(len(out))] = rng.choice(WORDS)
        elif kind == "delete" and len(out) > 1:
            del out[rng.randrange(len(out))]
        else:
            out.insert(rng.randrange(len(out) + 1), rng.choice(WORDS))
    return out


def random_corpus(sentences: int, max_refs: int, max_edits: int, shorten: float = 0.0, min_edits: int = 0):
    hyps, refs = [], []
    for _ in range(sentences):
        hyp = [rng.choice(WORDS) for _ in range(rng.randint(MIN_HYPOTHESIS_TOKENS, 12))]
        sentence_refs = [perturb(hyp, rng.randint(min_edits, max_edits)) for _ in range(rng.randint(1, max_refs))]
        if shorten > 0:
            # Drop hypothesis tokens (keeping at least 4) so the brevity penalty applies.
            keep = max(MIN_HYPOTHESIS_TOKENS, round(len(hyp) * (1 - shorten)))
            hyp = hyp[:keep]
        hyps.append(hyp)
        refs.append(sentence_refs)
    return hyps, refs


def case(name: str, hyps: list[list[str]], refs: list[list[list[str]]]) -> dict:
    assert all(len(h) >= MIN_HYPOTHESIS_TOKENS for h in hyps), name
    smoothing = SmoothingFunction()
    return {
        "name": name,
        "hypotheses": [" ".join(h) for h in hyps],
        "references": [[" ".join(r) for r in rs] for rs in refs],
        "bleu": corpus_bleu(refs, hyps),
        "bleuMethod3": corpus_bleu(refs, hyps, smoothing_function=smoothing.method3),
    }


def main() -> None:
    cases = []
    identical = [w.split() for w in ["the cat sat on the mat", "a big red dog ran to the house"]]
    cases.append(case("identical", identical, [[h] for h in identical]))
    cases.append(
        case(
            "one 4-gram short of perfect",
            [["the", "cat", "sat", "on", "a", "mat"]],
            [[["the", "cat", "sat", "on", "the", "mat"]]],
        )
    )
    cases.append(
        case(
            "no trigram or 4-gram matches",
            [["a", "b", "c", "d", "e"]],
            [[["a", "b", "x", "d", "e"]]],
        )
    )
    cases.append(
        case(
            "closest reference length, ties to the shorter",
            [["the", "cat", "sat", "on", "it"], ["a", "dog", "ran", "to", "the", "house"]],
            [
                [["the", "cat", "sat", "on"], ["the", "cat", "sat", "on", "the", "mat"]],
                [["a", "dog", "ran", "home"], ["a", "big", "dog", "ran", "to", "the", "red", "house"]],
            ],
        )
    )
    for i in range(6):
        hyps, refs = random_corpus(sentences=rng.randint(2, 8), max_refs=3, max_edits=5, min_edits=1)
        cases.append(case(f"random corpus {i + 1}", hyps, refs))
    for i in range(3):
        hyps, refs = random_corpus(sentences=rng.randint(2, 5), max_refs=1, max_edits=10, min_edits=5)
        cases.append(case(f"heavily edited references {i + 1}", hyps, refs))
    for i in range(3):
        hyps, refs = random_corpus(sentences=rng.randint(3, 6), max_refs=2, max_edits=2, shorten=0.4)
        cases.append(case(f"short hypotheses (brevity penalty) {i + 1}", hyps, refs))

    document = {
        "generator": "tools/reference/generate_bleu.py",
        "nltk": nltk.__version__,
        "python": platform.python_version(),
        "seed": SEED,
        "cases": cases,
    }
    os.makedirs(os.path.dirname(OUT_PATH), exist_ok=True)
    with open(OUT_PATH, "w", encoding="utf-8") as f:
        json.dump(document, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {OUT_PATH}")
    for c in cases:
        print(f"  {c['name']}: bleu {c['bleu']:.6f}, method3 {c['bleuMethod3']:.6f}")


if __name__ == "__main__":
    main()
