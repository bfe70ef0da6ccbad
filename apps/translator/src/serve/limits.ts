/**
 * @file What one request may ask of `translator serve`. Each bound keeps the cost of a request (memory to hold
 * it, time to decode it) small and known, so a burst of requests queues or is refused instead of exhausting the
 * process.
 */

export interface ServeLimits {
  /** Largest request body in bytes; a larger one gets 413. */
  maxBodyBytes: number;
  /** Most sentences in one request. */
  maxSentences: number;
  /** Most characters (UTF-16 code units) in one sentence. */
  maxSentenceChars: number;
  /** Most source tokens in one sentence, as the model's tokenizer splits it. */
  maxSentenceTokens: number;
  /** Widest beam a request may ask for. */
  maxBeam: number;
  /** Most translation requests waiting or running at once; more get 503. */
  maxQueue: number;
}

export const defaultServeLimits: Readonly<ServeLimits> = {
  maxBodyBytes: 64 * 1024,
  maxSentences: 16,
  maxSentenceChars: 1000,
  maxSentenceTokens: 100,
  maxBeam: 8,
  maxQueue: 64,
};

/** The defaults with `overrides` applied, each checked to be a positive integer. */
export function resolveServeLimits(overrides: Partial<ServeLimits> = {}): ServeLimits {
  const limits = { ...defaultServeLimits, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`serve: limit ${name} must be a positive integer (got ${value})`);
    }
  }
  return limits;
}
