// originate on FreeSWITCH: `bgapi originate {vars}<dial string> &park()` under
// a channel UUID chosen beforehand, so a timeout or an abort can hang up the
// very channel being placed (uuid_kill) before the job has replied. The ring
// time is kept here (FreeSWITCH's originate_timeout counts whole seconds).
import type { Logger } from 'pino';
import { OriginateError, type CallParty } from '../driver.js';
import { causeOfOriginateReply } from './causes.js';
import type { EslConnection } from './esl-connection.js';

export type OriginateRoute =
  | { dial: string; to: string }
  /** A softphone registered to the profile: its contact is looked up first. */
  | { device: string; profile: string; to: string };

export interface OriginateRequest {
  uuid: string;
  route: OriginateRoute;
  timeoutMs: number;
  callerId: CallParty | undefined;
  headers: Record<string, string> | undefined;
  signal: AbortSignal | undefined;
}

/** A channel variable value inside {…}: commas and braces would end it early. */
function varValue(value: string): string {
  return `'${value.replace(/['{},]/g, ' ')}'`;
}

async function dialString(esl: EslConnection, route: OriginateRoute): Promise<string> {
  if ('dial' in route) return route.dial;
  const contact = await esl.api(`sofia_contact ${route.profile}/${route.device}`);
  if (!contact.ok || contact.text.startsWith('error/')) throw new OriginateError('unreachable', `device ${route.device} is not registered`);
  return contact.text;
}

/** Places the call; resolves when it is answered (true) and parked for the driver. */
export async function originate(esl: EslConnection, logger: Logger, req: OriginateRequest): Promise<boolean> {
  const log = logger.child({ callId: req.uuid });
  if (req.signal?.aborted) throw new OriginateError('cancelled', 'originate aborted');
  const vars: Record<string, string> = {
    origination_uuid: req.uuid,
    originate_timeout: String(Math.ceil(req.timeoutMs / 1000) + 1),
    ignore_early_media: 'true',
    park_after_bridge: 'true',
    hangup_after_bridge: 'false',
  };
  if (req.callerId) {
    vars['origination_caller_id_number'] = req.callerId.number;
    vars['origination_caller_id_name'] = req.callerId.displayName ?? req.callerId.number;
  }
  for (const [name, value] of Object.entries(req.headers ?? {})) {
    if (/^[A-Za-z0-9-]+$/.test(name)) vars[`sip_h_${name}`] = value;
  }
  const dial = await dialString(esl, req.route);
  const varList = Object.entries(vars).map(([k, v]) => `${k}=${varValue(v)}`).join(',');

  let givenUp: 'no-answer' | 'cancelled' | undefined;
  const giveUp = (why: 'no-answer' | 'cancelled'): void => {
    if (givenUp) return;
    givenUp = why;
    log.info({ why }, 'originate given up');
    // The channel may not exist yet for the first few milliseconds: retry until the job replies.
    const kill = (): void => {
      void esl.api(`uuid_kill ${req.uuid} ${why === 'no-answer' ? 'NO_ANSWER' : 'ORIGINATOR_CANCEL'}`).then((r) => {
        if (!r.ok && !finished) setTimeout(kill, 50);
      });
    };
    kill();
  };
  let finished = false;
  const timer = setTimeout(() => giveUp('no-answer'), req.timeoutMs);
  const onAbort = (): void => giveUp('cancelled');
  req.signal?.addEventListener('abort', onAbort, { once: true });
  log.info({ dial }, 'originate');
  try {
    const reply = await esl.bgapi(`originate {${varList}}${dial} &park()`);
    finished = true;
    if (reply.ok && !givenUp) return true;
    if (reply.ok) {
      // Answered just as we gave up: hang it up again.
      await esl.api(`uuid_kill ${req.uuid} NORMAL_CLEARING`);
    }
    const cause = givenUp ?? causeOfOriginateReply(reply.text);
    log.info({ reply: reply.text, cause }, 'originate failed');
    throw new OriginateError(cause, `originate failed: ${reply.text}`);
  } finally {
    finished = true;
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onAbort);
  }
}
