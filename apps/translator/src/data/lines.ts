/**
 * @file A text file as numbered lines, each decoded from UTF-8 on its own with a fatal decoder, so one bad
 * byte costs one line (reported by number) and not the file.
 */
import { readFile } from 'node:fs/promises';

/** One line: its text, or null when its bytes are not valid UTF-8. Lines are numbered from 1. */
export interface NumberedLine {
  number: number;
  text: string | null;
}

const newline = 0x0a;
const carriageReturn = 0x0d;

/**
 * The lines of a file split at LF (a CR before the LF is dropped too); a final newline does not start
 * another line, and a UTF-8 byte order mark at the start of the file is skipped.
 */
export async function readNumberedLines(path: string): Promise<NumberedLine[]> {
  return splitLines(await readFile(path));
}

export function splitLines(bytes: Uint8Array): NumberedLine[] {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const hasBom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const lines: NumberedLine[] = [];
  let start = hasBom ? 3 : 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(newline, start);
    if (end === -1) end = bytes.length;
    const contentEnd = end > start && bytes[end - 1] === carriageReturn ? end - 1 : end;
    let text: string | null;
    try {
      text = decoder.decode(bytes.subarray(start, contentEnd));
    } catch {
      text = null;
    }
    lines.push({ number: lines.length + 1, text });
    start = end + 1;
  }
  return lines;
}
