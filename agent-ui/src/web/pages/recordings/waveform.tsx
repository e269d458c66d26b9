// A recording drawn for the player: the customer's channel above, the agent's
// below (each the peak per bucket, mirrored about its own line), the paused
// and hold spans shaded, a line at each marker, and the position played so far.
// A click anywhere seeks there. SVG with a fixed viewBox stretched to the
// width: it redraws only when the data or the position changes.
import type { JSX } from 'preact';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import type { RecordingMarker, RecordingWaveform } from '../../wire.js';
import type { Span } from './markers.js';

const W = 1000;
const H = 160;
const LANE = H / 2;
const AMPLITUDE = LANE / 2 - 6; // leaves room for the lane's label

/** A lane's outline: along the top of the peaks, back along the bottom. */
function envelope(peaks: readonly number[], middle: number): string {
  if (peaks.length === 0) return '';
  const step = W / peaks.length;
  const top = peaks.map((p, i) => `${(i * step).toFixed(1)},${(middle - p * AMPLITUDE).toFixed(1)}`);
  const bottom = peaks.map((p, i) => `${(i * step).toFixed(1)},${(middle + p * AMPLITUDE).toFixed(1)}`).reverse();
  return [...top, `${W},${middle}`, ...bottom].join(' ');
}

export function WaveformView(props: {
  waveform: RecordingWaveform; markers: readonly RecordingMarker[]; spans: readonly Span[]; positionMs: number; markerLabels: Record<string, MessageKey>;
  onSeek(ms: number): void;
}) {
  const { t } = useI18n();
  const { waveform } = props;
  const total = Math.max(1, waveform.durationMs);
  const x = (ms: number): number => (Math.min(Math.max(ms, 0), total) / total) * W;
  const seek = (e: JSX.TargetedMouseEvent<SVGSVGElement>): void => {
    const box = e.currentTarget.getBoundingClientRect();
    if (box.width > 0) props.onSeek(Math.round(((e.clientX - box.left) / box.width) * total));
  };
  return (
    <div class="waveform">
      <svg id="waveform" viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={`${t('waveformCustomer')} / ${t('waveformAgent')}`}
        data-points={waveform.points} onClick={seek}>
        {props.spans.map((s) => (
          <rect class={`span-${s.kind}`} data-span={s.kind} x={x(s.startMs)} y={0} width={Math.max(1, x(s.endMs) - x(s.startMs))} height={H} />
        ))}
        <line class="midline" x1={0} x2={W} y1={LANE / 2} y2={LANE / 2} />
        <line class="midline" x1={0} x2={W} y1={LANE + LANE / 2} y2={LANE + LANE / 2} />
        <polygon class="peaks-left" data-channel="customer" points={envelope(waveform.left, LANE / 2)} />
        <polygon class="peaks-right" data-channel="agent" points={envelope(waveform.right, LANE + LANE / 2)} />
        {props.markers.map((m) => (
          <line class="marker-line" data-kind={m.kind} data-at-ms={m.atMs} x1={x(m.atMs)} x2={x(m.atMs)} y1={0} y2={H}>
            <title>{props.markerLabels[m.kind] ? t(props.markerLabels[m.kind] as MessageKey) : m.kind}</title>
          </line>
        ))}
        <line class="playhead" id="waveform-playhead" x1={x(props.positionMs)} x2={x(props.positionMs)} y1={0} y2={H} />
      </svg>
      <span class="channel-name left">{t('waveformCustomer')}</span>
      <span class="channel-name right">{t('waveformAgent')}</span>
    </div>
  );
}
