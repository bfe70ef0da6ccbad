/** @file Test helper: parse XML strictly (saxes throws on anything not well-formed) into a small tree. */
import { SaxesParser } from 'saxes';

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: (XmlElement | string)[];
}

export function parseXml(xml: string): XmlElement {
  const parser = new SaxesParser();
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  parser.on('error', (error) => {
    throw error;
  });
  parser.on('opentag', (tag) => {
    const node: XmlElement = {
      name: tag.name,
      attributes: { ...(tag.attributes as Record<string, string>) },
      children: [],
    };
    if (stack.length > 0) stack[stack.length - 1].children.push(node);
    else root = node;
    stack.push(node);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.on('text', (text) => {
    if (stack.length > 0) stack[stack.length - 1].children.push(text);
  });
  parser.write(xml).close();
  if (!root) throw new Error('parseXml: no root element');
  return root;
}

/** Every element in document order. */
export function allElements(node: XmlElement): XmlElement[] {
  return [node, ...node.children.flatMap((child) => (typeof child === 'string' ? [] : allElements(child)))];
}

/** The text content of an element (entities already decoded by the parser). */
export function textOf(node: XmlElement): string {
  return node.children.map((child) => (typeof child === 'string' ? child : textOf(child))).join('');
}
