// The DTMF keypad: twelve keys, each sent to the call as it is pressed (RFC 4733).
import { useI18n } from '../i18n/index.js';

const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

export function Keypad(props: { onDigit: (digit: string) => void; disabled: boolean }) {
  const { t } = useI18n();
  return (
    <div class="keypad" id="phone-keypad" role="group" aria-label={t('phoneKeypad')}>
      {keys.map((k) => (
        <button type="button" data-digit={k} disabled={props.disabled} onClick={() => props.onDigit(k)}>{k}</button>
      ))}
    </div>
  );
}
