// The API's wire types as the web client reads them, taken from the server's own
// TypeBox schemas (Static<typeof Schema>) and the TypeScript types its routes return.
// Type-only imports: esbuild erases them, and `tsc -b` checks this project after the
// server's (agent-ui/src/web/tsconfig.json references server), so a server change
// that breaks the client fails the build (docs/web-client.md, "Types shared with the
// server"). `@tenor/server/src/*` is a tsconfig path to the server's sources.
import type { Static } from '@sinclair/typebox';
import type { StepView } from '@tenor/scripts-dsl';
import type { CallView, TransferTargets as TransferTargetsSchema } from '@tenor/server/src/services/acd/call-control-routes.js';
import type { MonitorViewSchema } from '@tenor/server/src/services/acd/monitor-routes.js';
import type { BoxView, MessageView } from '@tenor/server/src/services/voicemail/routes.js';
import type { Problem as ScriptProblemSchema, ScriptInfo as ScriptInfoSchema, SessionView } from '@tenor/server/src/services/scripts/routes.js';
import type { CustomerHistory as ServerCustomerHistory } from '@tenor/server/src/services/crm/history.js';
import type { TrunkView } from '@tenor/server/src/services/trunks/routes.js';
import type { UserView as UserViewSchema } from '@tenor/server/src/services/user-routes.js';
import type { ServiceInfo as ServiceInfoSchema } from '@tenor/server/src/http/routes/services.js';
import type { PromptView as PromptViewSchema } from '@tenor/server/src/services/prompts/routes.js';
import type { EntryNumberView } from '@tenor/server/src/services/entry-numbers/routes.js';
import type { WebhookDeadLetterView, WebhookSubscriptionView } from '@tenor/server/src/services/event-webhooks/routes.js';
import type { AgentView as AgentViewSchema, QueueView as QueueViewSchema, SipSecretView } from '@tenor/server/src/services/acd/routes.js';
import type { AgentDevice, QueueDefinition } from '@tenor/server/src/services/acd/model.js';
import type { DeviceDigestSchema } from '@tenor/server/src/config/schema.js';
import type {
  CheckView, FlowDetail as FlowDetailSchema, FlowGraphView, FlowSummary as FlowSummarySchema, Problem as FlowProblemSchema, SaveView, SimulateView,
} from '@tenor/server/src/services/ivr/routes.js';
import type { FlowOutcome } from '@tenor/server/src/services/ivr/flow/io.js';
import type { PhoneInfo as PhoneInfoType } from '@tenor/server/src/services/webrtc-phone/phone-info.js';
import type {
  AuditView as RecordingAuditSchema, RecordingDetailView as RecordingDetailSchema, RecordingPage as RecordingPageSchema, RecordingView as RecordingViewSchema,
  WaveformView as RecordingWaveformSchema,
} from '@tenor/server/src/services/recordings/routes.js';

/** The live-events WebSocket (GET /api/events): declared next to the server code that sends it. */
export type {
  LiveAgent, LiveCall, LiveCampaign, LiveCloseCodes, LiveContact, LiveDialing, LiveQueue, LiveRefusal, LiveSnapshot, LiveWaitingCall, ServerMessage,
} from '@tenor/server/src/services/live-events/types.js';
export type { Role } from '@tenor/server/src/store/repos/users.js';
export type { AgentState as AgentStateName } from '@tenor/server/src/services/acd/agent-state.js';
export type { TransferTarget } from '@tenor/server/src/services/acd/connected-call.js';
export type { AgentDevice, ExitDestination, QueueDefinition } from '@tenor/server/src/services/acd/model.js';
export type { FlowOutcome } from '@tenor/server/src/services/ivr/flow/io.js';
export type { PreviewView as ScriptPreview } from '@tenor/server/src/services/scripts/preview.js';
export type { AgentsReport, InboundReport } from '@tenor/server/src/services/reports/reports.js';
/** GET /api/agents/:login/day: the figures and the recent calls. */
export type { AgentDayFigures } from '@tenor/server/src/services/reports/agent-day.js';
export type { RecentCall } from '@tenor/server/src/services/reports/recent-calls.js';
/** GET /api/customers/search: how a hit matched. */
export type { MatchKind } from '@tenor/server/src/services/crm/search.js';
export type { AlertView } from '@tenor/server/src/services/alerts/index.js';
export type { QueueThresholds } from '@tenor/server/src/services/acd/index.js';
export type { WallboardQueue, WallboardView } from '@tenor/server/src/services/wallboard/index.js';
export type { QuestionView as ScriptQuestion, StepView as ScriptStep } from '@tenor/scripts-dsl';

/** GET /api/auth/me, and the answer to a login. */
export type { Me } from '@tenor/server/src/services/sessions/routes.js';

/** GET /api/agents/:login/call: the agent's connected call. */
export type ConnectedCallView = Static<typeof CallView>;
export type ConsultView = NonNullable<ConnectedCallView['consult']>;
/** GET /api/agents/:login/call/targets. */
export type TransferTargets = Static<typeof TransferTargetsSchema>;
/** A monitor in progress (GET /api/monitors). */
export type MonitorView = Static<typeof MonitorViewSchema>;
export type MonitorMode = MonitorView['mode'];

export type VoicemailMessage = Static<typeof MessageView>;
export type VoicemailBoxInfo = Static<typeof BoxView>;

export type ScriptInfo = Static<typeof ScriptInfoSchema>;
/** A problem POST /api/scripts/check finds in a script's XML. */
export type ScriptProblem = Static<typeof ScriptProblemSchema>;
/** A script run; the schema leaves `step` open, the server sends the runtime's StepView. */
export type ScriptSession = Omit<Static<typeof SessionView>, 'step'> & { step: StepView };

/**
 * GET /api/customers/:id/history. Customers and interactions are the site's business
 * objects (their fields come from the site file), so the server types them as open
 * records; these are the fields the screen pop shows when the site has them.
 */
export type CustomerHistory = Omit<ServerCustomerHistory, 'customer' | 'items'> & {
  customer: ServerCustomerHistory['customer'] & { name?: string; segment?: string | null; phones?: string[] };
  items: Array<ServerCustomerHistory['items'][number] & {
    channel?: string; direction?: string; occurredAt?: string; notes?: string | null; disposition?: string | null; outcome?: string | null; agent?: string | null;
    /** The call's recording, present only when this user may play it. */
    recordingId?: string;
  }>;
};

/** GET /api/trunks. */
export type Trunk = Static<typeof TrunkView>;

/** GET /api/users. */
export type UserView = Static<typeof UserViewSchema>;
/** GET /api/services. */
export type ServiceInfo = Static<typeof ServiceInfoSchema>;
/** GET /api/prompts. */
export type PromptView = Static<typeof PromptViewSchema>;
/** GET /api/entry-numbers. */
export type EntryNumber = Static<typeof EntryNumberView>;
/** GET /api/admin/webhooks (never a secret). */
export type WebhookSubscription = Static<typeof WebhookSubscriptionView>;
/** GET /api/admin/webhook-dead-letters. */
export type WebhookDeadLetter = Static<typeof WebhookDeadLetterView>;

/** The digest algorithms a SIP device is offered. */
export type DeviceDigest = Static<typeof DeviceDigestSchema>;
/** GET /api/agents; the schema leaves `device` open, the server sends the agent's AgentDevice. */
export type AgentView = Omit<Static<typeof AgentViewSchema>, 'device'> & { device: AgentDevice };
/** POST /api/agents/:login/sip-secret's answer: the only time the secret is shown. */
export type NewSipSecret = Static<typeof SipSecretView>;
/** GET /api/queues; the schema leaves `definition` open, the server sends the QueueDefinition (defaults filled in; undefined fields absent). */
export type QueueView = Omit<Static<typeof QueueViewSchema>, 'definition'> & { definition: QueueDefinition };

/** GET /api/flows. */
export type FlowSummary = Static<typeof FlowSummarySchema>;
/** GET /api/flows/:name. */
export type FlowDetail = Static<typeof FlowDetailSchema>;
/** PUT /api/flows/:name. */
export type FlowSaved = Static<typeof SaveView>;
export type FlowProblem = Static<typeof FlowProblemSchema>;
/** POST /api/flows/check. */
export type FlowCheck = Static<typeof CheckView>;
/** GET /api/flows/:name/graph: a flow's nodes and edges, for drawing. */
export type FlowGraphData = Static<typeof FlowGraphView>;
/** POST /api/flows/:name/simulate; the schema leaves `outcome` open, the server sends the flow's FlowOutcome. */
export type FlowSimulation = Omit<Static<typeof SimulateView>, 'outcome'> & { outcome: FlowOutcome };

/** GET /api/phone: the signed-in user's browser phone (docs/web-client.md, "The phone in the desktop"). */
export type PhoneInfo = PhoneInfoType;

/** GET /api/recordings: a page of recordings (docs/recording.md, "Playback"). */
export type RecordingPage = Static<typeof RecordingPageSchema>;
export type RecordingSummary = Static<typeof RecordingViewSchema>;
/** GET /api/recordings/:id: one recording and its markers. */
export type RecordingDetail = Static<typeof RecordingDetailSchema>;
export type RecordingMarker = RecordingDetail['markers'][number];
/** GET /api/recordings/:id/audit: who listened and downloaded. */
export type RecordingAuditEntry = Static<typeof RecordingAuditSchema>;
/** GET /api/recordings/:id/waveform: peaks per bucket, customer left, agent right. */
export type RecordingWaveform = Static<typeof RecordingWaveformSchema>;

// quality (Q): scorecards, evaluations and the quality report (docs/recording.md, "Quality scorecards").
import type { EvaluationView as EvaluationSchema, ScorecardView as ScorecardSchema } from '@tenor/server/src/services/quality/routes.js';
/** GET /api/quality/scorecards: one scorecard with its criteria. */
export type Scorecard = Static<typeof ScorecardSchema>;
export type ScorecardCriterion = Scorecard['criteria'][number];
/** POST/GET /api/recordings/:id/evaluations, GET /api/quality/evaluations: one evaluation with the criteria it was scored against. */
export type Evaluation = Static<typeof EvaluationSchema>;
export type EvaluationAnswer = Evaluation['answers'][string];
/** GET /api/quality/evaluations. */
export interface EvaluationList { items: Evaluation[]; canListen: boolean }
/** GET /api/reports/quality. */
export type { QualityReport } from '@tenor/server/src/services/quality/report.js';
// API tokens (H)
/** GET /api/tokens: an API token as listed (never its secret; docs/access.md, "API tokens"). */
export type ApiTokenView = Static<typeof import('@tenor/server/src/services/api-tokens/routes.js').ApiTokenView>;
/** POST /api/tokens: the new token with its secret, shown this once. */
export type CreatedApiToken = ApiTokenView & { secret: string };
