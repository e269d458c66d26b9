// Where the quality scorecard of a recording goes, below the player's audio.
// The quality part of the web client fills it in; until then it shows nothing.
import type { Me, RecordingDetail } from '../../wire.js';

export function ScorecardSlot(_props: { recording: RecordingDetail; me: Me }) {
  return null;
}
