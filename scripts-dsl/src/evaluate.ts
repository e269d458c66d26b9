/**
 * Evaluating expressions and templates against a run's data: the answers
 * collected so far and the host's business objects (customer, case, ...).
 *
 * Missing data is normal in a conversation (a question skipped on this
 * branch, a customer with no segment): a missing field reads as null, and
 * comparisons with it are simply false rather than errors.
 */
import type { Expr, Template } from './model.js';

/** Data as JSON carries it: what expressions compute and a snapshot stores. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * What paths are read from: `answer` plus the host's roots. Values are the
 * host's own objects (typed however it likes); they are read as JSON would
 * carry them, so a run gives the same result after a snapshot round trip.
 */
export type Scope = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A host value as JSON sees it: dates as ISO text, undefined and functions as null. */
export function toJsonValue(value: unknown): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (isRecord(value)) {
    const result: { [key: string]: JsonValue } = {};
    for (const [key, entry] of Object.entries(value)) if (entry !== undefined) result[key] = toJsonValue(entry);
    return result;
  }
  return null;
}

export function resolvePath(path: readonly string[], scope: Scope): JsonValue {
  let value: unknown = scope[path[0] ?? ''];
  for (const key of path.slice(1)) {
    if (!isRecord(value)) return null;
    value = value[key];
  }
  return toJsonValue(value);
}

export function isTruthy(value: JsonValue): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return value !== null && value !== false && value !== 0 && value !== '';
}

function isEmpty(value: JsonValue): boolean {
  if (value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

function contains(container: JsonValue, item: JsonValue): boolean {
  if (Array.isArray(container)) return container.some((entry) => entry === item);
  if (typeof container === 'string' && typeof item === 'string') return container.includes(item);
  return false;
}

function compare(op: '<' | '<=' | '>' | '>=', left: JsonValue, right: JsonValue): boolean {
  // Numbers with numbers, strings with strings (ISO dates order as strings).
  const comparable = (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string');
  if (!comparable) return false;
  switch (op) {
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
  }
}

function arithmetic(op: '+' | '-' | '*' | '/', left: JsonValue, right: JsonValue): JsonValue {
  if (op === '+' && typeof left === 'string' && typeof right === 'string') return left + right;
  if (typeof left !== 'number' || typeof right !== 'number') return null;
  const result = op === '+' ? left + right : op === '-' ? left - right : op === '*' ? left * right : left / right;
  return Number.isFinite(result) ? result : null;
}

export function evaluate(expr: Expr, scope: Scope): JsonValue {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'list':
      return expr.items.map((item) => evaluate(item, scope));
    case 'path':
      return resolvePath(expr.path, scope);
    case 'not':
      return !isTruthy(evaluate(expr.operand, scope));
    case 'neg': {
      const value = evaluate(expr.operand, scope);
      return typeof value === 'number' ? -value : null;
    }
    case 'call': {
      const args = expr.args.map((arg) => evaluate(arg, scope));
      const first = args[0] ?? null;
      if (expr.name === 'empty') return isEmpty(first);
      if (expr.name === 'length') return typeof first === 'string' || Array.isArray(first) ? first.length : 0;
      return contains(first, args[1] ?? null);
    }
    case 'binary':
      return evaluateBinary(expr, scope);
  }
}

function evaluateBinary(expr: Extract<Expr, { kind: 'binary' }>, scope: Scope): JsonValue {
  if (expr.op === 'and') return isTruthy(evaluate(expr.left, scope)) && isTruthy(evaluate(expr.right, scope));
  if (expr.op === 'or') return isTruthy(evaluate(expr.left, scope)) || isTruthy(evaluate(expr.right, scope));
  const left = evaluate(expr.left, scope);
  const right = evaluate(expr.right, scope);
  switch (expr.op) {
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compare(expr.op, left, right);
    case 'in':
      return contains(right, left);
    case 'not in':
      return !contains(right, left);
    default:
      return arithmetic(expr.op, left, right);
  }
}

/** How a value reads inside text: yes/no for booleans, lists joined by commas. */
export function formatValue(value: JsonValue): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.map(formatValue).filter((text) => text !== '').join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function renderTemplate(template: Template, scope: Scope): string {
  return template.parts.map((part) => (typeof part === 'string' ? part : formatValue(resolvePath(part.path, scope)))).join('');
}

/**
 * A template that becomes a URL: each substituted value is URL-encoded
 * (encodeURIComponent), so an answer or a caller's number such as `1&admin=1#`
 * stays one value and cannot add query parameters or change the path.
 */
export function renderUrlTemplate(template: Template, scope: Scope): string {
  return template.parts.map((part) => (typeof part === 'string' ? part : encodeURIComponent(formatValue(resolvePath(part.path, scope))))).join('');
}

/**
 * A template that is exactly one placeholder keeps the value's type, so
 * `value="${answer.amount}"` writes the number 120, not the text "120".
 */
export function templateValue(template: Template, scope: Scope): JsonValue {
  const only = template.parts[0];
  if (template.parts.length === 1 && only !== undefined && typeof only !== 'string') return resolvePath(only.path, scope);
  return renderTemplate(template, scope);
}
