// `${...}` substitution in flow strings. Deliberately tiny: a reference is a
// dotted path rooted at caller, customer, vars or language; nothing is ever
// evaluated, so a flow file cannot run code.

/** What references resolve against while a flow runs. */
export interface TemplateScope {
  caller: { number: string; dialed: string; callId: string };
  customer: Record<string, unknown> | undefined;
  vars: Record<string, unknown>;
  language: string;
}

const REFERENCE = /\$\{\s*([^}]*?)\s*\}/g;
const WHOLE = /^\$\{\s*([^}]*?)\s*\}$/;
const PATH = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;
const ROOTS = new Set(['caller', 'customer', 'vars', 'language']);
const CALLER_FIELDS = new Set(['number', 'dialed', 'callId']);

export function isTemplate(s: string): boolean {
  return s.includes('${');
}

/** The references a string holds (without `${}`). */
export function referencesIn(s: string): string[] {
  return [...s.matchAll(REFERENCE)].map((m) => m[1] ?? '');
}

/** Why a reference is not valid, or undefined when it is. */
export function referenceProblem(ref: string): string | undefined {
  if (!PATH.test(ref)) return `'${ref}' is not a reference (use caller.number, customer.<field>, vars.<name> or language)`;
  const [root, ...rest] = ref.split('.');
  if (root === undefined || !ROOTS.has(root)) return `'${ref}' is not a reference: it must start with caller., customer., vars. or be language`;
  if (root === 'language' && rest.length > 0) return `'${ref}': language has no fields`;
  if (root !== 'language' && rest.length === 0) return `'${ref}' names no field (e.g. ${root === 'caller' ? 'caller.number' : `${root}.name`})`;
  if (root === 'caller' && !CALLER_FIELDS.has(rest[0] ?? '')) return `'${ref}': the caller has number, dialed and callId`;
  return undefined;
}

/** The value a reference names (undefined when absent). */
export function resolveReference(ref: string, scope: TemplateScope): unknown {
  const [root, ...rest] = ref.split('.');
  let value: unknown;
  switch (root) {
    case 'language':
      return scope.language;
    case 'caller':
      value = scope.caller;
      break;
    case 'customer':
      value = scope.customer;
      break;
    case 'vars':
      value = scope.vars;
      break;
    default:
      return undefined;
  }
  return dig(value, rest);
}

/** Follow a dotted path into JSON-like data (`items.0.id` indexes arrays). */
export function dig(value: unknown, path: readonly string[]): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/**
 * Render a string. A string that is exactly one reference keeps the value's
 * type (a number stays a number in a JSON body); otherwise references are
 * replaced by their text ('' when absent).
 */
export function render(s: string, scope: TemplateScope): unknown {
  const whole = WHOLE.exec(s);
  if (whole) return resolveReference(whole[1] ?? '', scope);
  return renderText(s, scope);
}

export function renderText(s: string, scope: TemplateScope): string {
  return s.replace(REFERENCE, (_, ref: string) => textOf(resolveReference(ref, scope)));
}

/**
 * Render a URL: each substituted value is URL-encoded (encodeURIComponent), so
 * a caller's number such as `123&admin=1#` stays one value and cannot add
 * query parameters, change the path or cut the URL short.
 */
export function renderUrl(s: string, scope: TemplateScope): string {
  return s.replace(REFERENCE, (_, ref: string) => encodeURIComponent(textOf(resolveReference(ref, scope))));
}

export function textOf(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Render every string inside JSON-like data (object keys stay as written). */
export function renderDeep(value: unknown, scope: TemplateScope): unknown {
  if (typeof value === 'string') return render(value, scope);
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, scope));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, scope)]));
  }
  return value;
}
