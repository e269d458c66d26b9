// Where the quality scorecard of a recording goes, below the player's audio:
// the scorecard panel (pages/quality/scorecard-panel.tsx).
import type { Me, RecordingDetail } from '../../wire.js';
import { ScorecardPanel } from '../quality/scorecard-panel.js';

export function ScorecardSlot(props: { recording: RecordingDetail; me: Me }) {
  return <ScorecardPanel key={props.recording.id} recording={props.recording} me={props.me} />;
}
