// The published schema (script.dtd, script.xsd) describes exactly the
// language the parser accepts, and every example is valid against it.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { GRAMMAR } from '../src/grammar.js';
import { parseXmlTree } from '../src/xml-tree.js';
import type { XmlElement } from '../src/xml-tree.js';
import { examplesDir } from './helpers/examples.js';

const schemaDir = fileURLToPath(new URL('../schema/', import.meta.url));
const brokenDir = fileURLToPath(new URL('./fixtures/broken/', import.meta.url));

interface DtdAttribute {
  required: boolean;
  values?: string[];
}
interface DtdElement {
  model: string;
  attributes: Map<string, DtdAttribute>;
}

/** Just enough of a DTD reader for our DTD: parameter entities, ELEMENT, ATTLIST. */
function readDtd(text: string): Map<string, DtdElement> {
  let body = text.replace(/<!--[\s\S]*?-->/g, '');
  for (const [, name, value] of body.matchAll(/<!ENTITY\s+%\s+(\S+)\s+"([^"]*)"\s*>/g)) {
    body = body.split(`%${name};`).join(value);
  }
  const elements = new Map<string, DtdElement>();
  for (const [, name = '', model = ''] of body.matchAll(/<!ELEMENT\s+(\S+)\s+([^>]+)>/g)) {
    elements.set(name, { model: model.trim(), attributes: new Map() });
  }
  for (const [, name = '', list = ''] of body.matchAll(/<!ATTLIST\s+(\S+)([^>]*)>/g)) {
    const element = elements.get(name);
    if (element === undefined) throw new Error(`ATTLIST for undeclared element ${name}`);
    for (const [, attribute = '', type = '', fallback = ''] of list.matchAll(/(\S+)\s+(CDATA|\([^)]*\))\s+(#REQUIRED|#IMPLIED|"[^"]*")/g)) {
      element.attributes.set(attribute, {
        required: fallback === '#REQUIRED',
        ...(type.startsWith('(') ? { values: type.slice(1, -1).split('|').map((v) => v.trim()) } : {}),
      });
    }
  }
  return elements;
}

function childNames(model: string): string[] {
  return [...model.matchAll(/[A-Za-z][A-Za-z-]*/g)].map((m) => m[0]).filter((name) => name !== 'PCDATA' && name !== 'EMPTY');
}

/** A DTD content model as a regular expression over "name name ..." */
function modelRegExp(model: string): RegExp {
  if (model === 'EMPTY' || model.includes('#PCDATA')) return /^$/;
  const source = model.replace(/[A-Za-z][A-Za-z-]*/g, (name) => `(?:${name}_)`).replace(/[\s,]+/g, '').replace(/_/g, ' ');
  return new RegExp(`^${source}$`);
}

/** Validate a document against the DTD; returns messages, empty when valid. */
function validate(element: XmlElement, dtd: Map<string, DtdElement>): string[] {
  const declared = dtd.get(element.name);
  if (declared === undefined) return [`${element.pos.line}:${element.pos.column}: <${element.name}> is not declared`];
  const errors: string[] = [];
  const at = `${element.pos.line}:${element.pos.column}: <${element.name}>`;
  for (const attribute of element.attributes) {
    const spec = declared.attributes.get(attribute.name);
    if (spec === undefined) errors.push(`${at} attribute ${attribute.name} is not declared`);
    else if (spec.values !== undefined && !spec.values.includes(attribute.text.value)) errors.push(`${at} ${attribute.name}="${attribute.text.value}" is not allowed`);
  }
  for (const [name, spec] of declared.attributes) {
    if (spec.required && !element.attributes.some((a) => a.name === name)) errors.push(`${at} lacks required ${name}`);
  }
  const mixed = declared.model.includes('#PCDATA');
  if (!mixed && element.text.value.trim() !== '') errors.push(`${at} holds text`);
  const sequence = element.children.map((c) => `${c.name} `).join('');
  if (!modelRegExp(declared.model).test(sequence)) errors.push(`${at} children "${sequence.trim()}" do not match ${declared.model}`);
  return [...errors, ...element.children.flatMap((child) => validate(child, dtd))];
}

function tree(path: string): XmlElement {
  const result = parseXmlTree(readFileSync(path, 'utf8'));
  if (!result.ok) throw new Error(`${path}: ${result.problem.message}`);
  return result.root;
}

const dtd = readDtd(readFileSync(`${schemaDir}script.dtd`, 'utf8'));

t.test('the DTD declares every element and attribute the parser knows, and no other', async (t) => {
  t.same([...dtd.keys()].sort(), Object.keys(GRAMMAR).sort());
  for (const [name, spec] of Object.entries(GRAMMAR)) {
    const declared = dtd.get(name);
    t.same([...(declared?.attributes.keys() ?? [])].sort(), [...spec.attributes].sort(), `attributes of <${name}>`);
    t.same([...new Set(childNames(declared?.model ?? ''))].sort(), [...spec.children].sort(), `children of <${name}>`);
    t.equal(declared?.model.includes('#PCDATA'), spec.text, `<${name}> holds text`);
    for (const required of spec.required) t.ok(declared?.attributes.get(required)?.required, `<${name} ${required}> is #REQUIRED`);
  }
});

t.test('the XSD declares the same elements, attributes and required attributes as the DTD', async (t) => {
  const schema = tree(`${schemaDir}script.xsd`);
  const declarations = schema.children.filter((c) => c.name === 'xs:element');
  const nameOf = (e: XmlElement, attribute: string): string | undefined => e.attributes.find((a) => a.name === attribute)?.text.value;
  const descendants = (e: XmlElement): XmlElement[] => e.children.flatMap((c) => [c, ...descendants(c)]);
  t.same(declarations.map((d) => nameOf(d, 'name')).sort(), [...dtd.keys()].sort());
  for (const declaration of declarations) {
    const name = nameOf(declaration, 'name') ?? '';
    const inner = descendants(declaration);
    const attributes = inner.filter((e) => e.name === 'xs:attribute');
    const dtdElement = dtd.get(name);
    t.same(attributes.map((a) => nameOf(a, 'name')).sort(), [...(dtdElement?.attributes.keys() ?? [])].sort(), `attributes of ${name}`);
    t.same(
      attributes.filter((a) => nameOf(a, 'use') === 'required').map((a) => nameOf(a, 'name')).sort(),
      [...(dtdElement?.attributes ?? new Map<string, DtdAttribute>())].filter(([, a]) => a.required).map(([n]) => n).sort(),
      `required attributes of ${name}`,
    );
    const refs = [...new Set(inner.filter((e) => e.name === 'xs:element').map((e) => nameOf(e, 'ref')))].sort();
    t.same(refs, [...new Set(childNames(dtdElement?.model ?? ''))].sort(), `children of ${name}`);
  }
});

t.test('every example is valid against the DTD', async (t) => {
  const examples = readdirSync(examplesDir).filter((f) => f.endsWith('.xml'));
  t.ok(examples.length >= 3);
  for (const file of examples) t.same(validate(tree(examplesDir + file), dtd), [], file);
});

t.test('the DTD check is not vacuous: grammar mistakes fail it too', async (t) => {
  for (const file of ['unknown-element.xml', 'unknown-attribute.xml', 'missing-attribute.xml', 'out-of-order.xml', 'bad-question-type.xml', 'end-without-outcome.xml', 'action-missing-parameter.xml']) {
    t.not(validate(tree(brokenDir + file), dtd).length, 0, file);
  }
});
