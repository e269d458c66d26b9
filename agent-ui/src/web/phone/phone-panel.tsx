// The phone in the agent desktop (docs/web-client.md, "The phone in the desktop"): the
// microphone permission, the device picker, the ready / not ready indicator, ringing,
// answer (or auto-answer), mute, hold, hang up, the keypad and the call quality.
// Shown only when GET /api/phone says the agent's device is this browser (`webrtc`).
import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n, type Translate } from '../i18n/index.js';
import { logFailure } from '../log.js';
import { askForMicrophone, playOn, rememberDevices, rememberedDevices, type AudioDevices, type DeviceChoice, type MicrophoneProblem } from './devices.js';
import { Keypad } from './keypad.js';
import type { QualityReading } from './quality.js';
import { watchQuality } from './quality.js';
import { Ringer } from './ringer.js';
import { realmOf, readPhoneSettings, webSocketUrl, type PhoneSettings } from './settings.js';
import { SipPhone, type PhoneLine, type PhoneView } from './sip-phone.js';

/** GET /api/phone once: null while unknown or when this user has no browser phone. */
export function usePhoneSettings(): PhoneSettings | null {
  const [settings, setSettings] = useState<PhoneSettings | null>(null);
  useEffect(() => {
    readPhoneSettings().then((s) => setSettings(s.enabled ? s : null), logFailure('reading the phone settings'));
  }, []);
  return settings;
}

const micMessages: Record<MicrophoneProblem, 'phoneMicDenied' | 'phoneMicMissing' | 'phoneMicInUse' | 'phoneMicInsecure' | 'phoneMicFailed'> = {
  denied: 'phoneMicDenied', 'no-device': 'phoneMicMissing', 'in-use': 'phoneMicInUse', insecure: 'phoneMicInsecure', failed: 'phoneMicFailed',
};

function lineText(t: Translate, line: PhoneLine, mic: MicrophoneProblem | null): string {
  if (mic !== null) return t('phoneNotReadyMic');
  if (line.ready) return t('phoneReady');
  const why = { connecting: t('phoneConnecting'), disconnected: t('phoneDisconnected'), 'registration-failed': t('phoneRegistrationFailed'), stopped: t('phoneStopped') }[line.reason];
  return t('phoneNotReady', { reason: line.detail === '' ? why : `${why} (${line.detail})` });
}

export function PhonePanel(props: { settings: PhoneSettings; acdCallActive: boolean }) {
  const { t } = useI18n();
  const { settings } = props;
  const audio = useRef<HTMLAudioElement>(null);
  const phone = useRef<SipPhone | null>(null);
  const ringer = useRef(new Ringer());
  const [mic, setMic] = useState<MicrophoneProblem | null>(null);
  const [asked, setAsked] = useState(0);
  const [devices, setDevices] = useState<AudioDevices>({ inputs: [], outputs: [] });
  const [choice, setChoice] = useState<DeviceChoice>(rememberedDevices());
  const choiceRef = useRef(choice);
  choiceRef.current = choice;
  const [view, setView] = useState<PhoneView>({ line: { ready: false, reason: 'connecting', detail: '' }, call: null });
  const [quality, setQuality] = useState<QualityReading | null>(null);
  const [lastEnd, setLastEnd] = useState<string | null>(null);
  const [number, setNumber] = useState('');

  useEffect(() => {
    let cancelled = false;
    let stopQuality: (() => void) | undefined;
    const remoteAudio = audio.current;
    if (remoteAudio === null) return;
    void (async () => {
      const asked = await askForMicrophone(choiceRef.current.input);
      if (cancelled) return;
      if ('problem' in asked) {
        setMic(asked.problem);
        return;
      }
      setMic(null);
      setDevices(asked.devices);
      playOn(remoteAudio, choiceRef.current.output).catch(logFailure('choosing the speaker'));
      phone.current = new SipPhone({
        uri: settings.uri,
        webSocketUrl: webSocketUrl(settings.wsPath),
        input: () => choiceRef.current.input,
        remoteAudio,
        onChange: (v) => {
          setView(v);
          if (v.call?.phase !== 'ringing') ringer.current.stop();
        },
        onIncoming: () => {
          setLastEnd(null);
          if (settings.autoAnswer) phone.current?.answer();
          else ringer.current.start(choiceRef.current.output);
        },
        onEnded: (cause) => {
          ringer.current.stop();
          stopQuality?.();
          stopQuality = undefined;
          setQuality(null);
          setLastEnd(cause);
        },
        onMedia: (pc) => {
          stopQuality?.();
          stopQuality = watchQuality(pc, setQuality);
        },
      });
    })();
    return () => {
      cancelled = true;
      stopQuality?.();
      ringer.current.stop();
      phone.current?.stop();
      phone.current = null;
    };
  }, [settings.uri, settings.wsPath, settings.autoAnswer, asked]);

  const choose = (change: Partial<DeviceChoice>): void => {
    const next = { ...choice, ...change };
    setChoice(next);
    rememberDevices(next);
    if (change.output !== undefined && audio.current !== null) playOn(audio.current, change.output).catch(logFailure('choosing the speaker'));
  };

  const call = view.call;
  const ready = mic === null && view.line.ready;
  const connected = call?.phase === 'connected';
  return (
    <section class="card phone" id="phone" data-ready={String(ready)}>
      <h2>{t('phoneTitle')}</h2>
      <p>
        <span id="phone-status" class={ready ? 'phone-status ready' : 'phone-status not-ready'} data-ready={String(ready)}>{lineText(t, view.line, mic)}</span>
        {quality !== null && (
          <span id="phone-quality" class={`badge quality ${quality.level}`} data-level={quality.level}
            title={t('phoneQualityDetail', { loss: quality.lossPercent.toFixed(1), jitter: Math.round(quality.jitterMs) })}>
            {t(quality.level === 'good' ? 'phoneQualityGood' : quality.level === 'fair' ? 'phoneQualityFair' : 'phoneQualityPoor')}
          </span>
        )}
      </p>
      {mic !== null && (
        <p class="error" id="phone-mic-problem" data-problem={mic}>
          {t(micMessages[mic])} <button type="button" id="phone-mic-retry" onClick={() => setAsked((n) => n + 1)}>{t('phoneMicRetry')}</button>
        </p>
      )}
      {call !== null && (
        <p id="phone-call" data-phase={call.phase} data-held={String(call.held)} data-muted={String(call.muted)}>
          <strong>{call.phase === 'ringing' ? t('phoneRinging') : call.phase === 'calling' ? t('phoneCalling') : t('phoneInCall')}</strong>{' '}
          <span id="phone-remote">{call.remote}</span>
          {call.held && <span class="badge">{t('phoneHeld')}</span>}
          {call.muted && <span class="badge">{t('phoneMuted')}</span>}
        </p>
      )}
      {call === null && lastEnd !== null && <p class="muted" id="phone-last-end">{t('phoneCallEnded', { cause: lastEnd })}</p>}
      <div class="row">
        {call?.phase === 'ringing' && <button id="phone-answer" class="primary" onClick={() => phone.current?.answer()}>{t('phoneAnswer')}</button>}
        {call !== null && <button id="phone-hangup" onClick={() => phone.current?.hangUp()}>{t('phoneHangUp')}</button>}
        {connected && <button id="phone-mute" aria-pressed={call.muted} onClick={() => phone.current?.setMuted(!call.muted)}>{call.muted ? t('phoneUnmute') : t('phoneMute')}</button>}
        {/* An ACD call is held with the desktop's call controls (the customer hears the queue's music); this holds other calls. */}
        {connected && !props.acdCallActive && (
          <button id="phone-hold" aria-pressed={call.held} onClick={() => phone.current?.setHeld(!call.held)}>{call.held ? t('phoneResume') : t('phoneHold')}</button>
        )}
      </div>
      {connected && <Keypad disabled={call.held} onDigit={(d) => phone.current?.sendDigit(d)} />}
      {call === null && ready && (
        <form class="row" onSubmit={(e) => { e.preventDefault(); if (number.trim() !== '') phone.current?.dial(`sip:${number.trim()}@${realmOf(settings.uri)}`); }}>
          <input id="phone-dial-number" inputMode="tel" aria-label={t('phoneNumber')} placeholder={t('phoneNumber')} value={number} onInput={(e) => setNumber(e.currentTarget.value)} />
          <button id="phone-dial" type="submit">{t('phoneDial')}</button>
        </form>
      )}
      {mic === null && (
        <details class="phone-devices">
          <summary>{t('phoneDevices')}</summary>
          <label>{t('phoneMicrophone')}{' '}
            <select id="phone-input" value={choice.input} onChange={(e) => choose({ input: e.currentTarget.value })}>
              <option value="">{t('phoneDefaultDevice')}</option>
              {devices.inputs.map((d) => <option value={d.deviceId}>{d.label || d.deviceId}</option>)}
            </select>
          </label>{' '}
          <label>{t('phoneSpeaker')}{' '}
            <select id="phone-output" value={choice.output} onChange={(e) => choose({ output: e.currentTarget.value })}>
              <option value="">{t('phoneDefaultDevice')}</option>
              {devices.outputs.map((d) => <option value={d.deviceId}>{d.label || d.deviceId}</option>)}
            </select>
          </label>
        </details>
      )}
      <audio id="phone-remote-audio" ref={audio} autoplay />
    </section>
  );
}
