// What the reports read, and from whom: the stored history, through each
// owning service's report reader — the ACD's call records, segments, agent
// state log and queue events; voicemail's messages; campaigns' attempts.
// Never in-memory counters: a report of last week is the same before and after
// a restart. The reports hold no SQL over other services' tables.
//
// Voicemail and campaigns may not be installed; their readers are looked up
// when a report runs and the report says so when one is missing.

import type { AcdReportReader } from '../acd/index.js';
import type { CampaignReportReader } from '../campaigns/index.js';
import type { VoicemailMessageFacts, VoicemailReportReader } from '../voicemail/index.js';

export type { AnsweredFacts, CallbackFacts, CallFacts, StateChangeFacts } from '../acd/index.js';
export type VoicemailFacts = VoicemailMessageFacts;

/** The ACD's stored history as the reports read it. */
export type AcdHistory = Pick<AcdReportReader, 'calls' | 'wrapUps' | 'stateLog' | 'answered' | 'callbacks'>;
/** Voicemail's stored messages as the reports read them. */
export type VoicemailHistory = Pick<VoicemailReportReader, 'messages'>;
/** Campaigns' stored attempts as the reports read them. */
export type CampaignHistory = Pick<CampaignReportReader, 'callIds'>;
