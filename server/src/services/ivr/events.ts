// What the IVR tells the rest of Tenor (and tests, and the live monitor) about
// calls in flows. Every event names the flow and the version the call runs on.

import type { FlowOutcome, FlowStep } from './flow/index.js';

export interface IvrEvents {
  /** A call entered a flow (from an entry number, an ACD exit, or a transfer from another flow). */
  flow_started: { callId: string; flow: string; version: number; from: string; to: string; via: 'entry' | 'queue-exit' | 'transfer' };
  /** A call left a flow: with an outcome the IVR then carried out, or because the caller hung up or the run failed. */
  flow_ended: {
    callId: string;
    flow: string;
    version: number;
    how: 'completed' | 'caller-hung-up' | 'failed';
    outcome: FlowOutcome | undefined;
    path: FlowStep[];
  };
  /** A flow version went live (site file change or API save). */
  flow_changed: { flow: string; version: number; origin: 'file' | 'api' };
}

declare module '../../core/events.js' {
  interface TenorEvents extends IvrEvents {}
}
