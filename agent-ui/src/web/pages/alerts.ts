// The active alerts for the monitor and the wallboard: GET /api/alerts, read
// on opening, again on each alert_raised or alert_cleared event, and after the
// live connection comes back (events may have been missed meanwhile).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { logFailure } from '../log.js';
import type { AlertView } from '../wire.js';
import type { LiveState } from '../main.js';

export function useActiveAlerts(live: LiveState): AlertView[] {
  const [active, setActive] = useState<AlertView[]>([]);
  useEffect(() => {
    if (!live.connected) return;
    let cancelled = false;
    api.get<{ active: AlertView[] }>('/api/alerts')
      .then((r) => { if (!cancelled) setActive(r.active); }, logFailure('reading the active alerts'));
    return () => { cancelled = true; };
  }, [live.alertEvents, live.connected]);
  return active;
}
