// The active alerts for the monitor and the wallboard: GET /api/alerts, read
// again each time the live snapshot changes (an alert_raised or alert_cleared
// event makes the live client fetch a fresh snapshot, like any event).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { logFailure } from '../log.js';
import type { AlertView } from '../wire.js';

export function useActiveAlerts(snapshotAt: string): AlertView[] {
  const [active, setActive] = useState<AlertView[]>([]);
  useEffect(() => {
    if (snapshotAt === '') return;
    let cancelled = false;
    api.get<{ active: AlertView[] }>('/api/alerts')
      .then((r) => { if (!cancelled) setActive(r.active); }, logFailure('reading the active alerts'));
    return () => { cancelled = true; };
  }, [snapshotAt]);
  return active;
}
