// The active alerts as a list with a warning sign and the severity in words
// (not colour alone): on the monitor and on the wallboard.
import { useI18n } from '../i18n/index.js';
import type { AlertView } from '../wire.js';

export function AlertsBanner(props: { alerts: AlertView[]; large?: boolean }) {
  const { t } = useI18n();
  if (props.alerts.length === 0) return null;
  return (
    <section id="alerts" class={props.large ? 'alerts large' : 'alerts'} role="alert">
      {props.alerts.map((a) => (
        <p class={`alert alert-${a.severity}`} data-rule={a.rule} data-queue={a.queue ?? ''}>
          <span class="alert-sign" aria-hidden="true">⚠</span>
          <strong>{t(a.severity === 'critical' ? 'alertCritical' : 'alertWarning')}</strong> {a.message}
        </p>
      ))}
    </section>
  );
}
