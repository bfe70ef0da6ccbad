import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeMalformed, LineCountMismatchError, MalformedLineError } from '../src/data/errors.js';
import { splitLines } from '../src/data/lines.js';
import { loadMoses, mosesFiles } from '../src/data/moses.js';
import { loadTatoeba } from '../src/data/tatoeba.js';

let dir: string;
const utf8 = (text: string) => new TextEncoder().encode(text);
const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? utf8(part) : Uint8Array.from(part))));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'translator-loaders-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('splitLines', () => {
  it('splits at LF, drops a CR before it and a leading BOM, and numbers lines from 1', () => {
    const lines = splitLines(bytes([0xef, 0xbb, 0xbf], 'a\r\nb\n\nc'));
    expect(lines).toEqual([
      { number: 1, text: 'a' },
      { number: 2, text: 'b' },
      { number: 3, text: '' },
      { number: 4, text: 'c' },
    ]);
    expect(splitLines(bytes('a\n'))).toEqual([{ number: 1, text: 'a' }]);
    expect(splitLines(bytes(''))).toEqual([]);
  });

  it('decodes each line on its own: one invalid byte costs that line only', () => {
    const lines = splitLines(bytes('ok\n', 'caf', [0xe9], '\n', [0xc3], '\n', 'fin\u00e9\n'));
    expect(lines.map((l) => l.text)).toEqual(['ok', null, null, 'finé']);
  });
});

describe('loadTatoeba', () => {
  const file = () => join(dir, 'fra.txt');

  beforeAll(async () => {
    await writeFile(
      file(),
      bytes(
        [0xef, 0xbb, 0xbf],
        'Go.\tVa !\n', // 1
        'Run!\tCours\u202f!\tCC-BY 2.0 (France) Attribution: tatoeba.org #906328 (CM) & #906331 (sacredceltic)\n', // 2
        'no tab on this line\n', // 3
        '\tVide.\n', // 4
        'Caf',
        [0xe9],
        '\tCafé\n', // 5: Latin-1 é, invalid UTF-8
        'a\tb\tc\td\n', // 6
        'This sentence is far too long to keep.\tCette phrase est bien trop longue.\n', // 7
        'Cafe\u0301?\tCafe\u0301\u00a0?\n', // 8: decomposed é
        'Don\u2019t go!\tN\u2019y va pas\u00a0!\r\n', // 9: CRLF
        '   \tEspaces.\n', // 10
        'Last line.\tDernière ligne.', // 11: no final newline
      ),
    );
  });

  it('reads pairs, keeps the attribution column and normalises text', async () => {
    const result = await loadTatoeba(file());
    expect(result.lines).toBe(11);
    expect(result.pairs.map(({ src, tgt }) => [src, tgt])).toEqual([
      ['Go.', 'Va !'],
      ['Run!', 'Cours !'],
      ['This sentence is far too long to keep.', 'Cette phrase est bien trop longue.'],
      ['Café?', 'Café ?'],
      ["Don't go!", "N'y va pas !"],
      ['Last line.', 'Dernière ligne.'],
    ]);
    expect(result.pairs[1].attribution).toMatch(/^CC-BY 2\.0 \(France\)/);
    expect(result.pairs[0].attribution).toBeUndefined();
    expect(result.pairs[3].src).toBe('Caf\u00e9?'); // NFC: one code point
  });

  it('reports every malformed line with file and line number, and loses nothing else', async () => {
    const result = await loadTatoeba(file());
    expect(result.malformed).toEqual([
      { file: file(), line: 3, reason: 'no tab (expected source<TAB>target)' },
      { file: file(), line: 4, reason: 'empty source side' },
      { file: file(), line: 5, reason: 'invalid UTF-8' },
      { file: file(), line: 6, reason: 'expected 2 or 3 tab-separated fields, got 4' },
      { file: file(), line: 10, reason: 'empty source side' },
    ]);
    expect(result.pairs.length + result.malformed.length + result.filtered).toBe(result.lines);
    expect(describeMalformed(result.malformed, 2)).toBe(
      `5 malformed lines skipped:\n  ${file()}:3: no tab (expected source<TAB>target)\n  ${file()}:4: empty source side\n  … and 3 more`,
    );
  });

  it('lowercases, splits punctuation and filters by length on request', async () => {
    const result = await loadTatoeba(file(), { lowercase: true, splitPunctuation: true, maxLength: 5 });
    expect(result.pairs.map(({ src, tgt }) => [src, tgt])).toEqual([
      ['go .', 'va !'],
      ['run !', 'cours !'],
      ['café ?', 'café ?'],
      ["don't go !", "n'y va pas !"],
      ['last line .', 'dernière ligne .'],
    ]);
    expect(result.filtered).toBe(1);
    const longOnly = await loadTatoeba(file(), { minLength: 4 });
    expect(longOnly.pairs.map((p) => p.src)).toEqual(['This sentence is far too long to keep.']);
  });

  it('throws a typed error naming file and line under strict', async () => {
    const failure = await loadTatoeba(file(), { strict: true }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(MalformedLineError);
    expect(failure).toMatchObject({
      file: file(),
      line: 3,
      message: `${file()}:3: no tab (expected source<TAB>target)`,
    });
  });
});

describe('loadMoses', () => {
  it('pairs line i of each file and reports bad lines at the file they are in', async () => {
    const prefix = join(dir, 'train');
    await writeFile(`${prefix}.en`, bytes('The cat.\nA dog.\n\nBad\tbyte here\nGood.\n'));
    await writeFile(`${prefix}.fr`, bytes('Le chat.\nUn ', [0xff], 'chien.\nVide.\nMauvais\nBien.\n'));
    const files = mosesFiles(prefix, 'en', 'fr');
    expect(files).toEqual({ source: `${prefix}.en`, target: `${prefix}.fr` });
    const result = await loadMoses(files, { splitPunctuation: true });
    expect(result.pairs).toEqual([
      { src: 'The cat .', tgt: 'Le chat .' },
      { src: 'Bad byte here', tgt: 'Mauvais' },
      { src: 'Good .', tgt: 'Bien .' },
    ]);
    expect(result.malformed).toEqual([
      { file: `${prefix}.fr`, line: 2, reason: 'invalid UTF-8' },
      { file: `${prefix}.en`, line: 3, reason: 'empty source side' },
    ]);
    expect(result.lines).toBe(5);
    await expect(loadMoses(files, { strict: true })).rejects.toThrow(`${prefix}.fr:2: invalid UTF-8`);
  });

  it('refuses files of different lengths, strict or not', async () => {
    const source = join(dir, 'short.en');
    const target = join(dir, 'short.fr');
    await writeFile(source, 'one\ntwo\n');
    await writeFile(target, 'un\n');
    const failure = await loadMoses({ source, target }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(LineCountMismatchError);
    expect((failure as Error).message).toBe(
      `loadMoses: ${source} and ${target} must have the same number of lines (got 2 and 1)`,
    );
  });
});
