// How flows read on a terminal: problems as `file:line:column: node 'x': problem`,
// a simulation as one line per step and then the outcome.

import type { FlowOutcome, FlowRecording, FlowStep } from './io.js';
import type { FlowProblem, SimulationResult } from './types.js';

export function formatProblem(file: string, p: FlowProblem): string {
  const where = p.line !== undefined ? `${file}:${p.line}:${p.column ?? 1}` : file;
  return `${where}: ${p.node !== undefined ? `node '${p.node}': ` : ''}${p.message}`;
}

function recordingText(r: FlowRecording | undefined): string {
  if (!r) return '';
  return ` recording ${r.policy ?? "(the queue's policy)"}${r.announcement !== undefined ? ` announcement ${r.announcement}` : ''}`;
}

export function formatOutcome(o: FlowOutcome): string {
  switch (o.type) {
    case 'queue': {
      const skills = o.skills ? Object.entries(o.skills).map(([s, l]) => `${s}=${l}`).join(',') : '';
      return `queue ${o.queue}${o.priority !== undefined ? ` priority ${o.priority}` : ''}${skills ? ` skills ${skills}` : ''}${recordingText(o.recording)}`;
    }
    case 'voicemail':
      return `voicemail box ${o.box}`;
    case 'transfer': {
      const t = o.target;
      return `transfer to ${t.kind} ${t.kind === 'number' ? t.number : t.kind === 'agent' ? t.agent : t.flow}${recordingText(o.recording)}`;
    }
    case 'hangup':
      return 'hangup';
  }
}

/** One line per step: node, type, exit (with what was entered), prompts played. */
export function formatPath(path: readonly FlowStep[]): string[] {
  const name = (s: FlowStep): string => (s.flow !== undefined ? `${s.flow}/${s.node}` : s.node);
  const w1 = Math.max(4, ...path.map((s) => name(s).length));
  const w2 = Math.max(4, ...path.map((s) => s.type.length));
  const exits = path.map((s) => (s.exit ?? '-') + (s.input !== undefined && s.input !== s.exit ? ` (${s.input})` : ''));
  const w3 = Math.max(4, ...exits.map((e) => e.length));
  return path.map((s, i) => {
    const prompts = s.prompts && s.prompts.length > 0 ? `  prompts: ${s.prompts.join(', ')}` : '';
    return `${String(i + 1).padStart(3)}  ${name(s).padEnd(w1)}  ${s.type.padEnd(w2)}  ${(exits[i] ?? '').padEnd(w3)}${prompts}`.trimEnd();
  });
}

/** The path, the outcome, and every prompt in play order (its language shown when it is not the flow's). */
export function formatSimulation(result: SimulationResult, flowLanguage?: string): string[] {
  return [
    'path:',
    ...formatPath(result.path),
    `outcome: ${formatOutcome(result.outcome)}`,
    ...(result.prompts.length > 0 ? [`prompts played: ${result.prompts.map((p) => (p.language !== flowLanguage ? `${p.prompt} (${p.language})` : p.prompt)).join(', ')}`] : []),
  ];
}
