/**
 * The condition expression language: a small recursive-descent parser.
 *
 *   or      := and ('or' and)*
 *   and     := not ('and' not)*
 *   not     := 'not' not | compare
 *   compare := sum (('=='|'!='|'<'|'<='|'>'|'>='|'in'|'not' 'in') sum)?
 *   sum     := product (('+'|'-') product)*
 *   product := unary (('*'|'/') unary)*
 *   unary   := '-' unary | primary
 *   primary := number | string | true | false | null | '[' list ']'
 *            | name '(' args ')' | path | '(' or ')'
 *   path    := name ('.' name)*
 *
 * Positions are indices into the expression text; the caller maps them to the
 * line and column of the XML file.
 */
import { FUNCTION_NAMES } from './model.js';
import type { BinaryOp, Expr, FunctionName, Position, Template } from './model.js';

export class ExpressionSyntaxError extends Error {
  constructor(message: string, readonly index: number) {
    super(message);
    this.name = 'ExpressionSyntaxError';
  }
}

type TokenKind = 'number' | 'string' | 'name' | 'punct' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
  value?: string | number;
  index: number;
}

const PUNCTUATION = ['==', '!=', '<=', '>=', '<', '>', '(', ')', '[', ']', ',', '.', '+', '-', '*', '/'];
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'true', 'false', 'null']);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (/[0-9]/.test(ch)) {
      const match = /^[0-9]+(\.[0-9]+)?/.exec(text.slice(i));
      const literal = match?.[0] ?? ch;
      tokens.push({ kind: 'number', text: literal, value: Number(literal), index: i });
      i += literal.length;
      continue;
    }
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== ch) {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        value += text[j];
        j++;
      }
      if (j >= text.length) throw new ExpressionSyntaxError(`string starting here is not closed with ${ch}`, i);
      tokens.push({ kind: 'string', text: text.slice(i, j + 1), value, index: i });
      i = j + 1;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      const literal = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))?.[0] ?? ch;
      tokens.push({ kind: 'name', text: literal, index: i });
      i += literal.length;
      continue;
    }
    const punct = PUNCTUATION.find((p) => text.startsWith(p, i));
    if (punct === undefined) {
      if (ch === '=') throw new ExpressionSyntaxError("use '==' to compare, not '='", i);
      if (ch === '&' || ch === '|') throw new ExpressionSyntaxError(`use 'and' / 'or', not '${ch}${ch}'`, i);
      throw new ExpressionSyntaxError(`unexpected character '${ch}'`, i);
    }
    tokens.push({ kind: 'punct', text: punct, index: i });
    i += punct.length;
  }
  tokens.push({ kind: 'end', text: '', index: text.length });
  return tokens;
}

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);

class ExpressionParser {
  private next = 0;
  constructor(private readonly tokens: Token[], private readonly at: (index: number) => Position) {}

  parseAll(): Expr {
    const expr = this.parseOr();
    const token = this.peek();
    if (token.kind !== 'end') {
      throw new ExpressionSyntaxError(`unexpected '${token.text}' after a complete expression`, token.index);
    }
    return expr;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.next + offset, this.tokens.length - 1)] as Token;
  }

  private take(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.next++;
    return token;
  }

  private isWord(word: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === 'name' && token.text === word;
  }

  private isPunct(p: string): boolean {
    const token = this.peek();
    return token.kind === 'punct' && token.text === p;
  }

  private expectPunct(p: string, what: string): void {
    const token = this.peek();
    if (!this.isPunct(p)) throw new ExpressionSyntaxError(`expected '${p}' ${what}, found ${describe(token)}`, token.index);
    this.take();
  }

  private binary(op: BinaryOp, left: Expr, right: Expr, index: number): Expr {
    return { kind: 'binary', op, left, right, pos: this.at(index) };
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isWord('or')) {
      const index = this.take().index;
      left = this.binary('or', left, this.parseAnd(), index);
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.isWord('and')) {
      const index = this.take().index;
      left = this.binary('and', left, this.parseNot(), index);
    }
    return left;
  }

  private parseNot(): Expr {
    if (this.isWord('not')) {
      const index = this.take().index;
      return { kind: 'not', operand: this.parseNot(), pos: this.at(index) };
    }
    return this.parseCompare();
  }

  private parseCompare(): Expr {
    const left = this.parseSum();
    const token = this.peek();
    if (token.kind === 'punct' && COMPARISONS.has(token.text)) {
      this.take();
      return this.binary(token.text as BinaryOp, left, this.parseSum(), token.index);
    }
    if (this.isWord('in')) {
      this.take();
      return this.binary('in', left, this.parseSum(), token.index);
    }
    if (this.isWord('not') && this.isWord('in', 1)) {
      this.take();
      this.take();
      return this.binary('not in', left, this.parseSum(), token.index);
    }
    return left;
  }

  private parseSum(): Expr {
    let left = this.parseProduct();
    while (this.isPunct('+') || this.isPunct('-')) {
      const token = this.take();
      left = this.binary(token.text as BinaryOp, left, this.parseProduct(), token.index);
    }
    return left;
  }

  private parseProduct(): Expr {
    let left = this.parseUnary();
    while (this.isPunct('*') || this.isPunct('/')) {
      const token = this.take();
      left = this.binary(token.text as BinaryOp, left, this.parseUnary(), token.index);
    }
    return left;
  }

  private parseUnary(): Expr {
    if (this.isPunct('-')) {
      const index = this.take().index;
      return { kind: 'neg', operand: this.parseUnary(), pos: this.at(index) };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Expr {
    const token = this.take();
    const pos = this.at(token.index);
    switch (token.kind) {
      case 'number':
      case 'string':
        return { kind: 'literal', value: token.value ?? null, pos };
      case 'punct':
        if (token.text === '(') {
          const inner = this.parseOr();
          this.expectPunct(')', 'to close the parenthesis');
          return inner;
        }
        if (token.text === '[') return this.parseList(pos);
        throw new ExpressionSyntaxError(`expected a value, found '${token.text}'`, token.index);
      case 'end':
        throw new ExpressionSyntaxError('expression ends too early: a value is missing', token.index);
      case 'name':
        return this.parseName(token, pos);
    }
  }

  private parseList(pos: Position): Expr {
    const items: Expr[] = [];
    if (!this.isPunct(']')) {
      items.push(this.parseOr());
      while (this.isPunct(',')) {
        this.take();
        items.push(this.parseOr());
      }
    }
    this.expectPunct(']', 'to close the list');
    return { kind: 'list', items, pos };
  }

  private parseName(token: Token, pos: Position): Expr {
    if (token.text === 'true' || token.text === 'false') return { kind: 'literal', value: token.text === 'true', pos };
    if (token.text === 'null') return { kind: 'literal', value: null, pos };
    if (KEYWORDS.has(token.text)) {
      throw new ExpressionSyntaxError(`expected a value, found the keyword '${token.text}'`, token.index);
    }
    if (this.isPunct('(')) {
      if (!(FUNCTION_NAMES as readonly string[]).includes(token.text)) {
        throw new ExpressionSyntaxError(`unknown function '${token.text}' (known: ${FUNCTION_NAMES.join(', ')})`, token.index);
      }
      this.take();
      const args: Expr[] = [];
      if (!this.isPunct(')')) {
        args.push(this.parseOr());
        while (this.isPunct(',')) {
          this.take();
          args.push(this.parseOr());
        }
      }
      this.expectPunct(')', `to close the call of ${token.text}`);
      const name = token.text as FunctionName;
      const arity = name === 'contains' ? 2 : 1;
      if (args.length !== arity) {
        throw new ExpressionSyntaxError(`${name}() takes ${arity} argument${arity > 1 ? 's' : ''}, not ${args.length}`, token.index);
      }
      return { kind: 'call', name, args, pos };
    }
    const path = [token.text];
    while (this.isPunct('.')) {
      this.take();
      const part = this.take();
      if (part.kind !== 'name') throw new ExpressionSyntaxError(`expected a field name after '.', found ${describe(part)}`, part.index);
      path.push(part.text);
    }
    if (path.length < 2) {
      throw new ExpressionSyntaxError(
        `'${token.text}' is not a field path: write answer.${token.text}, customer.${token.text}, ... or quote it as a string`,
        token.index,
      );
    }
    return { kind: 'path', path, pos };
  }
}

function describe(token: Token): string {
  if (token.kind === 'end') return 'the end of the expression';
  if (token.kind === 'string') return `the string ${token.text}`;
  return `'${token.text}'`;
}

/**
 * Parse an expression. `at` maps an index in `text` to a file position.
 * Throws ExpressionSyntaxError with the index of the offending token.
 */
export function parseExpression(text: string, at: (index: number) => Position): Expr {
  if (text.trim() === '') throw new ExpressionSyntaxError('the condition is empty', 0);
  return new ExpressionParser(tokenize(text), at).parseAll();
}

/**
 * Parse text with `${path}` placeholders. Only field paths are allowed inside
 * the braces; a lone `$` is kept as text.
 */
export function parseTemplate(text: string, at: (index: number) => Position): Template {
  const parts: Template['parts'] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('${', i)) {
      const close = text.indexOf('}', i);
      if (close < 0) throw new ExpressionSyntaxError("placeholder '${' is not closed with '}'", i);
      const inner = text.slice(i + 2, close);
      const lead = inner.length - inner.trimStart().length;
      const name = inner.trim();
      if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(name)) {
        throw new ExpressionSyntaxError(`placeholder '\${${inner}}' must be a field path such as \${customer.name}`, i + 2 + lead);
      }
      if (literal !== '') parts.push(literal);
      literal = '';
      parts.push({ kind: 'path', path: name.split('.'), pos: at(i + 2 + lead) });
      i = close + 1;
      continue;
    }
    literal += text[i];
    i++;
  }
  if (literal !== '') parts.push(literal);
  return { parts, pos: at(0) };
}

/** Every field path an expression reads, in source order. */
export function pathsIn(expr: Expr): Array<{ path: string[]; pos: Position }> {
  switch (expr.kind) {
    case 'literal':
      return [];
    case 'path':
      return [{ path: expr.path, pos: expr.pos }];
    case 'list':
      return expr.items.flatMap(pathsIn);
    case 'not':
    case 'neg':
      return pathsIn(expr.operand);
    case 'binary':
      return [...pathsIn(expr.left), ...pathsIn(expr.right)];
    case 'call':
      return expr.args.flatMap(pathsIn);
  }
}

/** Every field path a template reads. */
export function pathsInTemplate(template: Template): Array<{ path: string[]; pos: Position }> {
  return template.parts.flatMap((part) => (typeof part === 'string' ? [] : [{ path: part.path, pos: part.pos }]));
}
