// Text (YAML or JSON) → FlowDefinition, with a line and column for every
// problem. The YAML tree is walked once to note where each value sits; the
// plain data is then read field by field, each node by its type's reader
// (nodes/<type>.ts). A flow with any problem is not returned: it must never
// reach a caller.

import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import { checkFlow } from './check.js';
import { NODE_TYPES, NodeFields, isNodeType, nodeType } from './nodes/index.js';
import { LANGUAGE } from './nodes/fields.js';
import { SourceReader, describe, isObject, join } from './reader.js';
import type { Json } from './reader.js';
import { sortProblems } from './sort.js';
import { isValidCalendarDate } from './time.js';
import type { FlowDefinition, FlowNode, FlowProblem, SourcePosition } from './types.js';

/** Node ids and flow names: they appear in paths, logs and state ids. */
export const NODE_ID = /^[A-Za-z][A-Za-z0-9_-]*$/;
export const FLOW_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const TOP_LEVEL_FIELDS = ['name', 'version', 'description', 'language', 'timezone', 'holidays', 'start', 'nodes'];

export interface ParseResult {
  flow: FlowDefinition | undefined;
  problems: FlowProblem[];
}

export function parseFlow(text: string, file?: string): ParseResult {
  const read = readFlow(text, file);
  if (read.problems.length > 0 || !read.flow) return read;
  const structural = checkFlow(read.flow, {});
  return structural.length > 0 ? { flow: undefined, problems: structural } : read;
}

/**
 * The flow as written, before the structural check: a draft whose targets or
 * reachability are wrong still reads, so an editor can draw it with its problems.
 * Undefined (with problems) only when the text is not a flow at all.
 */
export function readFlow(text: string, file?: string): ParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const syntax = doc.errors[0];
  if (syntax) {
    // Only the first: later syntax errors are usually echoes of it.
    const pos = syntax.linePos?.[0];
    return {
      flow: undefined,
      problems: [{ ...(pos ? { line: pos.line, column: pos.col } : {}), message: `not valid YAML/JSON: ${firstLine(syntax.message).replace(/ at line \d+, column \d+:?$/, '')}` }],
    };
  }
  const positions = new Map<string, SourcePosition>();
  const keyPositions = new Map<string, SourcePosition>();
  if (doc.contents) notePositions(doc.contents, '', positions, keyPositions, lineCounter);
  const reader = new SourceReader(positions, keyPositions);
  const flow = readDefinition(reader, doc.toJS() as unknown, file);
  if (reader.problems.length > 0 || !flow) return { flow: undefined, problems: sortProblems(reader.problems) };
  return { flow, problems: [] };
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}


/** Record where every value (and every map key) sits, by dotted path. */
function notePositions(
  node: YamlNode,
  path: string,
  values: Map<string, SourcePosition>,
  keys: Map<string, SourcePosition>,
  lc: LineCounter,
): void {
  const at = (offset: number | undefined): SourcePosition | undefined => {
    if (offset === undefined) return undefined;
    const p = lc.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const own = at(node.range?.[0]);
  if (own) values.set(path, own);
  if (isMap(node)) {
    for (const item of node.items) {
      if (!isPair(item) || !isScalar(item.key)) continue;
      const childPath = join(path, String(item.key.value));
      const keyAt = at(item.key.range?.[0]);
      if (keyAt) keys.set(childPath, keyAt);
      if (item.value && (isMap(item.value) || isSeq(item.value) || isScalar(item.value))) {
        notePositions(item.value, childPath, values, keys, lc);
      } else if (keyAt) {
        values.set(childPath, keyAt); // `next:` with nothing after it: point at the key
      }
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      if (isMap(item) || isSeq(item) || isScalar(item)) notePositions(item, join(path, String(i)), values, keys, lc);
    });
  }
}


function readDefinition(r: SourceReader, data: Json, file: string | undefined): FlowDefinition | undefined {
  if (!isObject(data)) {
    r.problem(undefined, '', `a flow is a map with name, version, start and nodes; found ${describe(data)}`);
    return undefined;
  }
  r.unknownFields(undefined, '', data, TOP_LEVEL_FIELDS, 'a flow');
  const name = r.requiredString(undefined, '', data, 'name');
  if (name !== undefined && !FLOW_NAME.test(name)) {
    r.problem(undefined, 'name', `flow name '${name}' may hold only letters, digits, '.', '_' and '-'`);
  }
  const version = r.integer(undefined, '', data, 'version', { min: 1, required: true });
  const language = r.optionalString(undefined, '', data, 'language') ?? 'en';
  if (!LANGUAGE.test(language)) r.problem(undefined, 'language', `language '${language}' is not a language tag (en, pt-BR, es)`);
  const timezone = r.optionalString(undefined, '', data, 'timezone') ?? 'UTC';
  const description = r.optionalString(undefined, '', data, 'description');
  const holidays = readHolidays(r, data.holidays);
  const start = r.requiredString(undefined, '', data, 'start');
  const nodes: Record<string, FlowNode> = {};
  if (!('nodes' in data)) r.missing(undefined, '', 'nodes');
  else if (!isObject(data.nodes) || Object.keys(data.nodes).length === 0) {
    r.problem(undefined, 'nodes', `nodes is a map of node id to node, with at least one node; found ${describe(data.nodes)}`);
  } else {
    for (const [id, raw] of Object.entries(data.nodes)) {
      const node = readNode(r, id, raw);
      if (node) nodes[id] = node;
    }
  }
  if (name === undefined || version === undefined || start === undefined) return undefined;
  const fieldsAt: Record<string, SourcePosition> = {};
  for (const key of TOP_LEVEL_FIELDS) {
    const p = r.at(key);
    if (p) fieldsAt[key] = p;
  }
  return {
    name,
    version,
    ...(description !== undefined ? { description } : {}),
    language,
    timezone,
    holidays,
    start,
    nodes,
    ...(file !== undefined ? { file } : {}),
    fieldsAt,
  };
}

function readHolidays(r: SourceReader, raw: Json): Record<string, string[]> {
  if (raw === undefined || raw === null) return {};
  const calendars: Record<string, string[]> = {};
  const readList = (path: string, list: Json): string[] => {
    if (!Array.isArray(list)) {
      r.problem(undefined, path, `a holiday calendar is a list of dates (YYYY-MM-DD, or MM-DD for every year); found ${describe(list)}`);
      return [];
    }
    return list.flatMap((d, i) => {
      if (typeof d !== 'string' || !isValidCalendarDate(d)) {
        r.problem(undefined, `${path}.${i}`, `invalid date ${JSON.stringify(d)}: use YYYY-MM-DD, or MM-DD for every year`);
        return [];
      }
      return [d];
    });
  };
  if (Array.isArray(raw)) calendars.default = readList('holidays', raw);
  else if (isObject(raw)) {
    for (const [name, list] of Object.entries(raw)) calendars[name] = readList(`holidays.${name}`, list);
  } else {
    r.problem(undefined, 'holidays', `holidays is a list of dates or a map of calendar name to dates; found ${describe(raw)}`);
  }
  return calendars;
}

function readNode(r: SourceReader, id: string, raw: Json): FlowNode | undefined {
  const path = `nodes.${id}`;
  const before = r.problems.length;
  if (!NODE_ID.test(id)) {
    r.problemAtKey(id, path, `node id '${id}' must start with a letter and hold only letters, digits, '_' and '-'`);
  }
  if (!isObject(raw)) {
    r.problemAtKey(id, path, `a node is a map with a type; found ${describe(raw)}`);
    return undefined;
  }
  if (!('type' in raw)) {
    r.missing(id, path, 'type');
    return undefined;
  }
  const type = raw.type;
  if (!isNodeType(type)) {
    r.problem(id, `${path}.type`, `unknown node type ${JSON.stringify(type)} (known: ${NODE_TYPES.join(', ')})`);
    return undefined;
  }
  const kind = nodeType(type);
  r.unknownFields(id, path, raw, ['type', ...kind.fields], `a ${type} node`);
  const keyAt = r.keyAt(path);
  const base = { id, ...(keyAt ? { at: keyAt } : {}), fieldsAt: r.positionsUnder(path) };
  const body = kind.read(new NodeFields(r, id, path, raw));
  if (!body || r.problems.length > before) return undefined;
  return { ...base, ...body };
}
