// A strict reader of the Prometheus text exposition format (0.0.4), for tests:
// every sample belongs to a family announced by # HELP and # TYPE before it,
// names and labels have the format's syntax, values are numbers, a series
// appears once, and counters are not negative. Throws naming the bad line.

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Family {
  name: string;
  help: string;
  type: MetricType;
}

export interface Exposition {
  families: Map<string, Family>;
  /** Every sample: the series key (`name{a="1",b="2"}`, labels sorted) → value. */
  samples: Map<string, number>;
  /** The value of a series; labels in any order; undefined when absent. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** The sum over every series of this sample name whose labels include these. */
  sum(name: string, labels?: Record<string, string>): number;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const PAIR = new RegExp(`^(${LABEL})="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"`);
const SUFFIXES: Record<MetricType, readonly string[]> = {
  counter: [''], gauge: [''], untyped: [''], histogram: ['_bucket', '_sum', '_count'], summary: ['', '_sum', '_count'],
};

function seriesKey(name: string, labels: Record<string, string>): string {
  const pairs = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}="${v}"`);
  return `${name}{${pairs.join(',')}}`;
}

function parseLabels(text: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length > 0) {
    const m = PAIR.exec(rest);
    if (!m) throw new Error(`line ${line}: bad labels '${text}'`);
    const [whole, key = '', value = ''] = m;
    if (key in labels) throw new Error(`line ${line}: label ${key} twice`);
    labels[key] = value.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    rest = rest.slice(whole.length);
    if (rest.startsWith(',')) rest = rest.slice(1);
    else if (rest.length > 0) throw new Error(`line ${line}: bad labels '${text}'`);
  }
  return labels;
}

function parseValue(text: string, line: number): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const n = Number(text);
  if (text.trim() === '' || Number.isNaN(n)) throw new Error(`line ${line}: value '${text}' is not a number`);
  return n;
}

export function parseExposition(text: string): Exposition {
  const families = new Map<string, Family>();
  const help = new Map<string, string>();
  const samples = new Map<string, number>();
  const labelled: { name: string; labels: Record<string, string>; value: number }[] = [];
  if (!text.endsWith('\n')) throw new Error('the text does not end with a newline');
  text.split('\n').slice(0, -1).forEach((raw, i) => {
    const line = i + 1;
    if (raw === '') return;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
    if (meta) {
      const [, kind, name = '', rest = ''] = meta;
      if (!new RegExp(`^${NAME}$`).test(name)) throw new Error(`line ${line}: bad metric name '${name}'`);
      if (kind === 'HELP') help.set(name, rest);
      else {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`line ${line}: unknown type '${rest}'`);
        if (families.has(name)) throw new Error(`line ${line}: TYPE of ${name} twice`);
        families.set(name, { name, help: help.get(name) ?? '', type: rest as MetricType });
      }
      return;
    }
    if (raw.startsWith('#')) return;
    const m = SAMPLE.exec(raw);
    if (!m) throw new Error(`line ${line}: not a sample: '${raw}'`);
    const [, name = '', labelText, valueText = ''] = m;
    const labels = labelText === undefined ? {} : parseLabels(labelText, line);
    const value = parseValue(valueText, line);
    const family = [...families.values()].find((f) => SUFFIXES[f.type].some((s) => `${f.name}${s}` === name));
    if (!family) throw new Error(`line ${line}: sample ${name} before its # TYPE`);
    if (!family.help) throw new Error(`line ${line}: ${family.name} has no # HELP`);
    if (family.type === 'counter' && !(value >= 0)) throw new Error(`line ${line}: counter ${name} is ${value}`);
    const key = seriesKey(name, labels);
    if (samples.has(key)) throw new Error(`line ${line}: series ${key} twice`);
    samples.set(key, value);
    labelled.push({ name, labels, value });
  });
  const includes = (labels: Record<string, string>, want: Record<string, string>) => Object.entries(want).every(([k, v]) => labels[k] === v);
  return {
    families,
    samples,
    value: (name, labels = {}) => samples.get(seriesKey(name, labels)),
    sum: (name, labels = {}) => labelled.filter((s) => s.name === name && includes(s.labels, labels)).reduce((a, s) => a + s.value, 0),
  };
}
