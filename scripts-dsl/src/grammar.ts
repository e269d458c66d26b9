/**
 * The element grammar of a script file, as data: which attributes and
 * children each element may have. The parser enforces it, and a test checks
 * that schema/script.dtd and schema/script.xsd declare exactly this.
 */
export interface ElementSpec {
  attributes: readonly string[];
  /** Attributes the parser itself requires (the checker requires more). */
  required: readonly string[];
  /** Allowed children, in the order they must appear. */
  children: readonly string[];
  /** Whether the element holds text (a prompt, an info item, a body). */
  text: boolean;
}

export const ACTION_ELEMENTS = [
  'send-email',
  'webhook',
  'update-field',
  'create-case',
  'schedule-callback',
  'set-disposition',
  'recording',
] as const;

export const GRAMMAR: Readonly<Record<string, ElementSpec>> = {
  script: { attributes: ['id', 'version', 'title', 'start'], required: ['id'], children: ['description', 'step', 'end'], text: false },
  description: { attributes: [], required: [], children: [], text: true },
  step: { attributes: ['id', 'title'], required: ['id'], children: ['info', 'question', 'go'], text: false },
  end: { attributes: ['id', 'title', 'outcome'], required: ['id'], children: ['info'], text: false },
  info: { attributes: ['when'], required: [], children: [], text: true },
  question: {
    attributes: ['id', 'type', 'required', 'pattern', 'min', 'max', 'message'],
    required: ['id', 'type'],
    children: ['prompt', 'option'],
    text: false,
  },
  prompt: { attributes: [], required: [], children: [], text: true },
  option: { attributes: ['value'], required: ['value'], children: [], text: true },
  go: { attributes: ['to', 'when'], required: ['to'], children: [...ACTION_ELEMENTS], text: false },
  'send-email': { attributes: ['to', 'template', 'subject'], required: [], children: [], text: true },
  webhook: { attributes: ['url', 'method'], required: [], children: [], text: true },
  'update-field': { attributes: ['entity', 'field', 'value'], required: [], children: [], text: false },
  'create-case': { attributes: ['code', 'description'], required: [], children: [], text: false },
  'schedule-callback': { attributes: ['at', 'in', 'number'], required: [], children: [], text: false },
  'set-disposition': { attributes: ['code'], required: [], children: [], text: false },
  recording: { attributes: ['action', 'reason'], required: [], children: [], text: false },
};

/** Children whose relative order is free (all actions share one rank). */
export function childRank(parent: string, child: string): number {
  const spec = GRAMMAR[parent];
  if (spec === undefined) return -1;
  if (parent === 'go') return (ACTION_ELEMENTS as readonly string[]).includes(child) ? 0 : -1;
  // step and end may interleave in a script.
  if (parent === 'script' && (child === 'step' || child === 'end')) return 1;
  return spec.children.indexOf(child);
}
