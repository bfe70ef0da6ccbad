/**
 * @file The body of `POST /api/translate`: read with a size cap, parsed, and checked against the limits, so a
 * request that passes can be decoded without surprises.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError, overLimit } from './http-error.js';
import type { ServeLimits } from './limits.js';

export interface TranslateRequest {
  texts: string[];
  beamSize: number;
}

/**
 * The request body as bytes, at most `maxBytes` of them. A declared Content-Length over the cap is refused before
 * reading; a streamed body is counted and refused on the byte that crosses it. The rest of an oversized body is
 * drained (not kept) so the 413 reaches a client that is still sending.
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  // `got` is the declared length, or for a streamed body the bytes read when it crossed the limit.
  const tooLarge = (got: number, declared: boolean) =>
    new HttpError(
      413,
      `request body ${declared ? `is ${got} bytes` : 'exceeds the limit'}; the limit is ${maxBytes} bytes (maxBodyBytes)`,
      { limit: 'maxBodyBytes', max: maxBytes, got },
      { Connection: 'close' },
    );
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    throw tooLarge(declared, true);
  }
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req) {
    length += (chunk as Buffer).length;
    if (length > maxBytes) {
      req.resume();
      throw tooLarge(length, false);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, length);
}

/**
 * Parses and checks `{ "text": string | string[], "beam"?: number }`. `countTokens` is the model's source
 * tokenizer, so the token limit means what the model will see.
 */
export function parseTranslateRequest(
  body: Buffer,
  limits: ServeLimits,
  countTokens: (text: string) => number,
): TranslateRequest {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, `request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(
      400,
      'request body must be a JSON object: { "text": string | string[], "beam"?: number }',
    );
  }
  const { text, beam = 1 } = value as { text?: unknown; beam?: unknown };
  const texts = typeof text === 'string' ? [text] : text;
  if (!Array.isArray(texts) || texts.length === 0 || texts.some((t) => typeof t !== 'string')) {
    throw new HttpError(400, '"text" must be a string or a non-empty array of strings');
  }
  if (texts.length > limits.maxSentences) {
    throw overLimit(
      'maxSentences',
      limits.maxSentences,
      texts.length,
      `${texts.length} sentences in one request; the limit is ${limits.maxSentences} (maxSentences)`,
    );
  }
  texts.forEach((sentence: string, i) => {
    const where = typeof text === 'string' ? '"text"' : `"text"[${i}]`;
    if (sentence.length > limits.maxSentenceChars) {
      throw overLimit(
        'maxSentenceChars',
        limits.maxSentenceChars,
        sentence.length,
        `${where} has ${sentence.length} characters; the limit is ${limits.maxSentenceChars} (maxSentenceChars)`,
      );
    }
    const tokens = countTokens(sentence);
    if (tokens > limits.maxSentenceTokens) {
      throw overLimit(
        'maxSentenceTokens',
        limits.maxSentenceTokens,
        tokens,
        `${where} has ${tokens} tokens; the limit is ${limits.maxSentenceTokens} (maxSentenceTokens)`,
      );
    }
  });
  if (typeof beam !== 'number' || !Number.isInteger(beam) || beam < 1) {
    throw new HttpError(400, `"beam" must be a positive integer (got ${JSON.stringify(beam)})`);
  }
  if (beam > limits.maxBeam) {
    throw overLimit(
      'maxBeam',
      limits.maxBeam,
      beam,
      `"beam" is ${beam}; the limit is ${limits.maxBeam} (maxBeam)`,
    );
  }
  return { texts, beamSize: beam };
}
