// A streaming RFC 4180 CSV parser: quoted fields with embedded delimiters,
// line breaks and doubled quotes; CRLF or LF; a UTF-8 byte-order mark; ';' or
// ',' as the delimiter (detected from the header line when not given). Chunks
// may split anywhere, even inside a quoted field or between "\r" and "\n", so
// a 100k-row file is parsed without holding it in memory.

export interface CsvRow {
  /** 1-based line of the file on which the record starts (a quoted field may span lines). */
  line: number;
  fields: string[];
}

export interface CsvProblem {
  line: number;
  message: string;
}

export type CsvDelimiter = ',' | ';';

/** The delimiter of a header line: the one of ';' and ',' that occurs more often outside quotes (',' on a tie). */
export function detectDelimiter(headerLine: string): CsvDelimiter {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === ',') commas++;
    else if (!quoted && ch === ';') semicolons++;
  }
  return semicolons > commas ? ';' : ',';
}

type State = 'field-start' | 'unquoted' | 'quoted' | 'quote-in-quoted';

export class CsvParser {
  #delimiter: CsvDelimiter | undefined;
  #state: State = 'field-start';
  #field = '';
  #fields: string[] = [];
  #line = 1;
  #recordLine = 1;
  #pendingCr = false;
  #started = false;
  /** Text seen before the delimiter is known (up to the first line break). */
  #head = '';
  readonly problems: CsvProblem[] = [];

  constructor(opts: { delimiter?: CsvDelimiter } = {}) {
    this.#delimiter = opts.delimiter;
  }

  get delimiter(): CsvDelimiter | undefined {
    return this.#delimiter;
  }

  /** Feed a chunk of text; returns the records completed by it. */
  push(chunk: string): CsvRow[] {
    let text = chunk;
    if (!this.#started) {
      if (text.length === 0) return [];
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.#delimiter === undefined) {
      this.#head += text;
      const eol = this.#head.search(/[\r\n]/);
      if (eol < 0) return [];
      this.#delimiter = detectDelimiter(this.#head.slice(0, eol));
      text = this.#head;
      this.#head = '';
    }
    return this.#consume(text);
  }

  /** The end of input: returns the last record if the file does not end with a line break. */
  end(): CsvRow[] {
    if (this.#delimiter === undefined) {
      const head = this.#head;
      this.#head = '';
      if (head.length === 0) return [];
      this.#delimiter = detectDelimiter(head);
      this.#consume(head);
    }
    const out: CsvRow[] = [];
    if (this.#state === 'quoted') {
      this.problems.push({ line: this.#recordLine, message: 'quoted field not closed before the end of the file' });
    }
    if (this.#state !== 'field-start' || this.#fields.length > 0 || this.#field.length > 0) {
      this.#fields.push(this.#field);
      out.push({ line: this.#recordLine, fields: this.#fields });
    }
    this.#field = '';
    this.#fields = [];
    this.#state = 'field-start';
    return out;
  }

  #consume(text: string): CsvRow[] {
    const out: CsvRow[] = [];
    const delim = this.#delimiter ?? ',';
    for (let i = 0; i < text.length; i++) {
      const ch = text[i] as string;
      if (this.#pendingCr) {
        this.#pendingCr = false;
        if (ch === '\n') continue; // the LF of a CRLF already counted
      }
      switch (this.#state) {
        case 'quoted':
          if (ch === '"') this.#state = 'quote-in-quoted';
          else {
            if (ch === '\n' || ch === '\r') this.#newLine(ch);
            this.#field += ch === '\r' ? '\n' : ch;
          }
          break;
        case 'quote-in-quoted':
          if (ch === '"') {
            this.#field += '"';
            this.#state = 'quoted';
          } else if (ch === delim) {
            this.#endField();
          } else if (ch === '\n' || ch === '\r') {
            this.#endRecord(out, ch);
          } else {
            // RFC 4180 allows nothing between a closing quote and the delimiter; keep the text, report it.
            this.problems.push({ line: this.#line, message: `text after a closing quote: '${ch}'` });
            this.#field += ch;
            this.#state = 'unquoted';
          }
          break;
        case 'field-start':
        case 'unquoted':
          if (ch === '"' && this.#state === 'field-start') {
            this.#state = 'quoted';
            break;
          }
          if (ch === delim) this.#endField();
          else if (ch === '\n' || ch === '\r') this.#endRecord(out, ch);
          else {
            this.#field += ch;
            this.#state = 'unquoted';
          }
          break;
      }
    }
    return out;
  }

  #newLine(ch: string): void {
    this.#line++;
    if (ch === '\r') this.#pendingCr = true;
  }

  #endField(): void {
    this.#fields.push(this.#field);
    this.#field = '';
    this.#state = 'field-start';
  }

  #endRecord(out: CsvRow[], ch: string): void {
    this.#fields.push(this.#field);
    const blank = this.#fields.length === 1 && this.#fields[0] === '' && this.#state === 'field-start';
    if (!blank) out.push({ line: this.#recordLine, fields: this.#fields });
    this.#field = '';
    this.#fields = [];
    this.#state = 'field-start';
    this.#newLine(ch);
    this.#recordLine = this.#line;
  }
}

/** Parse a whole text at once (tests, small bodies). */
export function parseCsv(text: string, opts: { delimiter?: CsvDelimiter } = {}): { rows: CsvRow[]; delimiter: CsvDelimiter; problems: CsvProblem[] } {
  const parser = new CsvParser(opts);
  const rows = [...parser.push(text), ...parser.end()];
  return { rows, delimiter: parser.delimiter ?? ',', problems: parser.problems };
}
