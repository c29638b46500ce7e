/**
 * A strict little parser for the markup passage renders itself (the replay timeline page),
 * so that tests can look at elements and attributes instead of matching strings. It is
 * stricter than a browser on purpose: every attribute value quoted, every element closed
 * (HTML's void elements excepted), only the entities the renderer writes, and anything else
 * is an error. So a value that escaped its escaping shows up as a parse error or as an
 * element of its own, never as silently "fine" text.
 */

export interface MarkupElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly MarkupNode[];
}
export type MarkupNode = MarkupElement | string;

const VOID_ELEMENTS = new Set(['meta', 'link', 'br', 'hr', 'img', 'input', 'source', 'wbr']);
/** Their content is text up to their end tag, as a browser reads it. */
const RAW_TEXT_ELEMENTS = new Set(['style', 'script']);
const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  '#39': "'",
};

const decodeEntities = (text: string, at: number): string =>
  text.replace(/&([^;\s&<]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) throw new Error(`a bare '&' near offset ${at}`);
    const named = NAMED_ENTITIES[name];
    if (named !== undefined) return named;
    const numeric = /^#(x[0-9a-f]+|[0-9]+)$/i.exec(name);
    if (numeric?.[1] !== undefined) {
      const code = numeric[1].startsWith('x')
        ? parseInt(numeric[1].slice(1), 16)
        : parseInt(numeric[1], 10);
      return String.fromCodePoint(code);
    }
    throw new Error(`unknown entity &${name}; near offset ${at}`);
  });

interface Open {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly children: MarkupNode[];
}

const NAME = /[A-Za-z][\w:-]*/y;
const SPACE = /\s*/y;
const ATTRIBUTE = /([A-Za-z_:][\w:.-]*)\s*=\s*"([^"<]*)"/y;

/** Parses a document (a doctype and comments are skipped) into a root named `#document`. */
export const parseMarkup = (text: string): MarkupElement => {
  const root: Open = { name: '#document', attributes: {}, children: [] };
  const stack: Open[] = [root];
  const top = (): Open => stack[stack.length - 1] ?? root;
  let i = 0;
  const match = (pattern: RegExp): RegExpExecArray | null => {
    pattern.lastIndex = i;
    const found = pattern.exec(text);
    if (found !== null) i = pattern.lastIndex;
    return found;
  };
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    if (lt === -1 || lt > i) {
      const end = lt === -1 ? text.length : lt;
      const chunk = text.slice(i, end);
      if (chunk.includes('>')) throw new Error(`a bare '>' in text near offset ${i}`);
      top().children.push(decodeEntities(chunk, i));
      i = end;
      continue;
    }
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i);
      if (end === -1) throw new Error('an unclosed comment');
      i = end + 3;
      continue;
    }
    if (/^<!doctype html>/i.test(text.slice(i, i + 15))) {
      i += 15;
      continue;
    }
    if (text.startsWith('</', i)) {
      i += 2;
      const name = match(NAME)?.[0];
      match(SPACE);
      if (name === undefined || text[i] !== '>') throw new Error(`a bad end tag at ${i}`);
      i += 1;
      const open = stack.pop();
      if (open === undefined || open === root || open.name !== name) {
        throw new Error(`</${name}> closes <${open?.name ?? 'nothing'}> at ${i}`);
      }
      continue;
    }
    i += 1;
    const name = match(NAME)?.[0];
    if (name === undefined) throw new Error(`a '<' that starts no tag at ${i - 1}`);
    const attributes: Record<string, string> = {};
    for (;;) {
      match(SPACE);
      const attribute = match(ATTRIBUTE);
      if (attribute === null) break;
      const [, key = '', value = ''] = attribute;
      if (key in attributes) throw new Error(`a repeated attribute ${key} on <${name}>`);
      attributes[key] = decodeEntities(value, i);
    }
    match(SPACE);
    const selfClosing = text.startsWith('/>', i);
    if (!selfClosing && text[i] !== '>') throw new Error(`a malformed <${name}> tag at ${i}`);
    i += selfClosing ? 2 : 1;
    const element: Open = { name, attributes, children: [] };
    top().children.push(element);
    if (selfClosing || VOID_ELEMENTS.has(name)) continue;
    if (RAW_TEXT_ELEMENTS.has(name)) {
      const end = text.indexOf(`</${name}>`, i);
      if (end === -1) throw new Error(`an unclosed <${name}>`);
      element.children.push(text.slice(i, end));
      i = end + name.length + 3;
      continue;
    }
    stack.push(element);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${top().name}>`);
  return root;
};

export const isElement = (node: MarkupNode): node is MarkupElement => typeof node !== 'string';

/** Every element under `node` (itself excluded), in document order. */
export const descendants = (node: MarkupElement): MarkupElement[] =>
  node.children.filter(isElement).flatMap((child) => [child, ...descendants(child)]);

export const classesOf = (element: MarkupElement): string[] =>
  (element.attributes.class ?? '').split(/\s+/).filter((name) => name !== '');

export const hasClass = (element: MarkupElement, name: string): boolean =>
  classesOf(element).includes(name);

/** The elements under `node` with this tag name and, if given, every one of these classes. */
export const elements = (
  node: MarkupElement,
  name: string,
  ...classes: readonly string[]
): MarkupElement[] =>
  descendants(node).filter(
    (element) => element.name === name && classes.every((c) => hasClass(element, c)),
  );

/** The one element that matches, or an error saying how many did. */
export const single = (
  node: MarkupElement,
  name: string,
  ...classes: readonly string[]
): MarkupElement => {
  const found = elements(node, name, ...classes);
  if (found.length !== 1 || found[0] === undefined) {
    throw new Error(`expected one <${name} class="${classes.join(' ')}">, found ${found.length}`);
  }
  return found[0];
};

/** The text inside an element, as a reader would get it (entities decoded). */
export const textOf = (node: MarkupNode): string =>
  isElement(node) ? node.children.map(textOf).join('') : node;
