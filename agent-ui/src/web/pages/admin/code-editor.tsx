// A source editor for flows (YAML/JSON) and scripts (XML): a plain textarea with a
// line-number gutter that marks the lines with problems. No editor library: the
// bundle stays small and the browser's own undo, search and spell-check-off work.
// Lines never wrap, so gutter row N is always source line N.
import { useRef } from 'preact/hooks';
import type { Ref } from 'preact';

export interface LineMark {
  line: number;
  message: string;
}

/** Select line `line` (1-based) of the textarea and scroll it into view. */
export function goToLine(textarea: HTMLTextAreaElement | null, line: number): void {
  if (textarea === null) return;
  const lines = textarea.value.split('\n');
  const index = Math.min(Math.max(line, 1), lines.length) - 1;
  let start = 0;
  for (let i = 0; i < index; i++) start += (lines[i] ?? '').length + 1;
  const end = start + (lines[index] ?? '').length;
  textarea.focus();
  textarea.setSelectionRange(start, end);
  const lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 18;
  // A third of the way down, so the lines around it show too.
  textarea.scrollTop = Math.max(0, index * lineHeight - textarea.clientHeight / 3);
}

/** The 1-based line the caret is on. */
export function caretLine(textarea: HTMLTextAreaElement): number {
  return textarea.value.slice(0, textarea.selectionStart).split('\n').length;
}

export function CodeEditor(props: {
  id: string;
  value: string;
  onValue(value: string): void;
  marks: readonly LineMark[];
  textareaRef: Ref<HTMLTextAreaElement>;
  label: string;
}) {
  const gutter = useRef<HTMLDivElement>(null);
  const lineCount = props.value.split('\n').length;
  const marked = new Map<number, string>();
  for (const m of props.marks) marked.set(m.line, marked.has(m.line) ? `${marked.get(m.line) ?? ''}\n${m.message}` : m.message);
  const rows = [];
  for (let line = 1; line <= lineCount; line++) {
    const message = marked.get(line);
    rows.push(
      <div class={message !== undefined ? 'gutter-line marked' : 'gutter-line'} data-line={line} title={message}>{line}</div>,
    );
  }
  return (
    <div class="code-editor" id={props.id}>
      <div class="gutter" ref={gutter} aria-hidden="true">{rows}</div>
      <textarea
        ref={props.textareaRef}
        aria-label={props.label}
        spellcheck={false}
        wrap="off"
        value={props.value}
        onInput={(e) => props.onValue(e.currentTarget.value)}
        onScroll={(e) => { if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop; }}
      />
    </div>
  );
}
