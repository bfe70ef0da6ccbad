/** @file Just enough SVG: escaped text, elements from attribute objects, and compact numbers. */

/**
 * Characters XML 1.0 forbids become U+FFFD: C0 controls other than tab, newline and carriage return, lone
 * surrogates, U+FFFE and U+FFFF.
 */
export function xmlCharacters(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    const allowed =
      code === 0x09 ||
      code === 0x0a ||
      code === 0x0d ||
      (code >= 0x20 && code < 0xd800) ||
      (code > 0xdfff && code < 0xfffe) ||
      code > 0xffff;
    out += allowed ? char : '\ufffd';
  }
  return out;
}

/** Text safe inside an element or a double-quoted attribute: escapes & < > " '. */
export function escapeXml(text: string): string {
  return xmlCharacters(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export type Attributes = Record<string, string | number | undefined>;

/** `<name a="1">children</name>`, or self-closing without children; undefined attributes are left out. */
export function element(name: string, attributes: Attributes = {}, children: readonly string[] = []): string {
  const attrs = Object.entries(attributes)
    .filter(([, value]) => value !== undefined)
    .map(
      ([key, value]) => ` ${key}="${escapeXml(typeof value === 'number' ? num(value) : (value as string))}"`,
    )
    .join('');
  return children.length === 0 ? `<${name}${attrs}/>` : `<${name}${attrs}>${children.join('')}</${name}>`;
}

/** A text element; `content` is escaped here. */
export function text(content: string, attributes: Attributes = {}): string {
  return element('text', attributes, [escapeXml(content)]);
}

/**
 * A whole SVG document with a white background. `title` becomes its first child, the accessible name screen
 * readers and browsers' tooltips use.
 */
export function svgDocument(
  width: number,
  height: number,
  title: string,
  children: readonly string[],
): string {
  const root = element(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      width,
      height,
      viewBox: `0 0 ${num(width)} ${num(height)}`,
      'font-family': 'system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif',
    },
    [
      element('title', {}, [escapeXml(title)]),
      element('rect', { width, height, fill: '#ffffff' }),
      ...children,
    ],
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root}\n`;
}

/** A coordinate with at most two decimals and no trailing zeros. */
export function num(value: number): string {
  return String(Math.round(value * 100) / 100);
}
