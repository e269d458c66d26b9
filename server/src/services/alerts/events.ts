// The alerts' events on the bus (shared seam: webhooks deliver them as any
// other bus event). Plain JSON; times are ISO strings.

export interface AlertRaisedEvent {
  id: string;
  rule: string;
  severity: 'warning' | 'critical';
  queue?: string;
  trunk?: string;
  campaign?: string;
  message: string;
  /** The figure that broke the rule (seconds, percent or a count, as the rule says). */
  value: number;
  threshold: number;
  at: string;
}

export interface AlertClearedEvent {
  id: string;
  rule: string;
  queue?: string;
  trunk?: string;
  campaign?: string;
  at: string;
}

declare module '../../core/events.js' {
  interface TenorEvents {
    alert_raised: AlertRaisedEvent;
    alert_cleared: AlertClearedEvent;
  }
}
