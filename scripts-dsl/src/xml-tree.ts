/**
 * Well-formed XML → a small element tree with source positions, using saxes.
 *
 * Saxes reports where it *is*, not where a tag or an attribute value
 * started, so positions are recovered from the source text: the tag start
 * by searching back for `<name`, attribute values by re-reading the raw tag.
 * Keeping offsets (not only decoded strings) lets an error inside a
 * condition point at the exact character in the file.
 */
import { SaxesParser } from 'saxes';
import type { Position, Problem } from './model.js';
import { decodeXmlText, lineLocator } from './source-text.js';
import type { Locate, MappedText } from './source-text.js';

export interface XmlAttribute {
  name: string;
  text: MappedText;
  /** Position of the attribute name. */
  pos: Position;
  /** Position of the first character of the value. */
  valuePos: Position;
}

export interface XmlElement {
  name: string;
  attributes: XmlAttribute[];
  children: XmlElement[];
  /** Character content directly inside this element (comments excluded). */
  text: MappedText;
  pos: Position;
}

export type XmlTreeResult = { ok: true; root: XmlElement; locate: Locate } | { ok: false; problem: Problem };

interface OpenElement {
  element: XmlElement;
  start: number;
  contentStart: number;
  textChunks: MappedText[];
}

export function parseXmlTree(source: string): XmlTreeResult {
  const locate = lineLocator(source);
  const parser = new SaxesParser({ position: true });
  const stack: OpenElement[] = [];
  let root: XmlElement | undefined;
  let problem: Problem | undefined;
  // On a wrong closing tag saxes first closes the inner elements itself;
  // the first element closed that way is the one the author left open.
  let leftOpen: XmlElement | undefined;
  // Where the last markup (tag, comment, CDATA, PI, doctype) ended: text
  // reported next started there.
  // saxes reports a comment before reading its final '>', tags after it:
  // move past the next '>' either way.
  let cursor = 0;
  const moveCursor = (): void => {
    cursor = source.indexOf('>', parser.position - 1) + 1;
  };
  parser.on('comment', moveCursor);
  parser.on('processinginstruction', moveCursor);
  parser.on('doctype', moveCursor);
  parser.on('xmldecl', moveCursor);

  parser.on('error', (error) => {
    if (problem !== undefined) return;
    const open = leftOpen ?? stack[stack.length - 1]?.element;
    problem = describeSaxesError(error.message, parser.line, parser.column, parser.position, source, open, locate);
  });
  parser.on('opentagstart', (tag) => {
    const start = source.lastIndexOf(`<${tag.name}`, parser.position);
    const element: XmlElement = {
      name: tag.name,
      attributes: [],
      children: [],
      text: { value: '', offsets: [] },
      pos: locate(start),
    };
    stack.push({ element, start, contentStart: -1, textChunks: [] });
  });
  parser.on('opentag', () => {
    const open = stack[stack.length - 1];
    if (open === undefined) return;
    open.contentStart = parser.position;
    open.element.attributes = readAttributes(source, open.start, parser.position, locate);
    moveCursor();
  });
  parser.on('text', (text) => recordText(stack, source, cursor, parser.position, text));
  parser.on('cdata', (text) => {
    const open = stack[stack.length - 1];
    if (open === undefined) return;
    // CDATA ends with "]]>"; its content starts text.length characters before.
    const start = parser.position - 3 - text.length;
    open.textChunks.push({ value: text, offsets: [...Array(text.length + 1).keys()].map((k) => start + k) });
    moveCursor();
  });
  parser.on('closetag', (tag) => {
    const open = stack.pop();
    if (open === undefined) return;
    const closeStart = source.lastIndexOf('</', parser.position);
    if (!tag.isSelfClosing && !source.startsWith(`</${tag.name}`, closeStart)) leftOpen ??= open.element;
    moveCursor();
    open.element.text = joinChunks(open.textChunks);
    const parent = stack[stack.length - 1];
    if (parent === undefined) root = open.element;
    else parent.element.children.push(open.element);
  });

  try {
    parser.write(source).close();
  } catch (error) {
    // saxes throws only when no error handler is set; ours is. Any other
    // throw is a bug in a handler above and must not be hidden.
    if (problem === undefined) throw error;
  }
  if (problem !== undefined) return { ok: false, problem };
  if (root === undefined) return { ok: false, problem: { line: 1, column: 1, message: 'the file has no root element' } };
  return { ok: true, root, locate };
}

/**
 * At a text event the parser stands just past the '<' that ended the text
 * (or at the end of the input); the text began where the last markup ended.
 */
function recordText(stack: OpenElement[], source: string, start: number, position: number, decoded: string): void {
  const open = stack[stack.length - 1];
  if (open === undefined) return;
  const end = source[position - 1] === '<' ? position - 1 : position;
  const mapped = decodeXmlText(source.slice(start, end), start, false);
  // Should our raw reading ever disagree with saxes, keep saxes's text and
  // point at the element rather than at a wrong character.
  if (mapped.value === decoded) open.textChunks.push(mapped);
  else open.textChunks.push({ value: decoded, offsets: Array(decoded.length + 1).fill(open.contentStart) as number[] });
}

function joinChunks(chunks: MappedText[]): MappedText {
  let value = '';
  const offsets: number[] = [];
  for (const chunk of chunks) {
    value += chunk.value;
    offsets.push(...chunk.offsets.slice(0, chunk.value.length));
  }
  const last = chunks[chunks.length - 1];
  offsets.push(last === undefined ? 0 : (last.offsets[last.offsets.length - 1] ?? 0));
  return { value, offsets };
}

const ATTRIBUTE = /([^\s=/>]+)\s*=\s*(["'])([\s\S]*?)\2/g;

function readAttributes(source: string, tagStart: number, tagEnd: number, locate: Locate): XmlAttribute[] {
  const raw = source.slice(tagStart, tagEnd);
  const nameEnd = raw.search(/[\s/>]/);
  const attributes: XmlAttribute[] = [];
  ATTRIBUTE.lastIndex = nameEnd < 0 ? raw.length : nameEnd;
  for (let match = ATTRIBUTE.exec(raw); match !== null; match = ATTRIBUTE.exec(raw)) {
    const name = match[1] ?? '';
    const rawValue = match[3] ?? '';
    const nameOffset = tagStart + match.index;
    const valueOffset = nameOffset + match[0].length - 1 - rawValue.length;
    attributes.push({
      name,
      text: decodeXmlText(rawValue, valueOffset, true),
      pos: locate(nameOffset),
      valuePos: locate(valueOffset),
    });
  }
  return attributes;
}

/** Saxes messages start with "line:column: "; keep ours, and improve the common ones. */
function describeSaxesError(
  message: string,
  line: number,
  column: number,
  position: number,
  source: string,
  open: XmlElement | undefined,
  locate: Locate,
): Problem {
  const text = message.replace(/^\d+:\d+: /, '').replace(/\.$/, '');
  if (/close tag|closing tag/.test(text)) {
    const closeStart = source.lastIndexOf('</', position);
    const name = /^<\/\s*([^\s>]*)/.exec(source.slice(closeStart))?.[1] ?? '';
    if (closeStart >= 0 && open !== undefined) {
      return { ...locate(closeStart), message: `closing tag </${name}> does not match <${open.name}> opened at ${open.pos.line}:${open.pos.column}` };
    }
    if (closeStart >= 0) return { ...locate(closeStart), message: `closing tag </${name}> has no matching opening tag` };
  }
  if (/unclosed tag/.test(text) && open !== undefined) {
    return { ...open.pos, message: `<${open.name}> is never closed` };
  }
  if (/undefined entity/.test(text)) {
    const ampersand = source.lastIndexOf('&', position - 1);
    const reference = /^&[^;\s<]*;?/.exec(source.slice(ampersand))?.[0] ?? '&';
    if (ampersand >= 0) return { ...locate(ampersand), message: `XML syntax: undefined entity ${reference}` };
  }
  // saxes counts columns from 0 for the next character; having just read the
  // offending character, its count equals that character's 1-based column.
  return { line, column: Math.max(column, 1), message: `XML syntax: ${text}` };
}
