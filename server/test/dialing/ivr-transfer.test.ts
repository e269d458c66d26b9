// An IVR flow that transfers the caller to the number they type (a template
// of collected digits), over real SIP: a caller types a premium-rate number.
// Tenor must refuse it (dialing_refused, purpose transfer), say so and hang
// up, and never send the REFER that would have the call placed to that number
// (SIPp's message trace shows every request it got). A US number is allowed:
// the REFER goes out.
import path from 'node:path';
import t, { type Test } from 'tap';
import { startSipp, type SippResult } from '../../../telephony/test/peers/index.js';
import { within } from '../acd-sip/site.js';
import { SCENARIOS, startIvrSite, type IvrSite } from '../ivr-sip/site.js';

const FLOW = `
name: dial-out
version: 1
language: en
timezone: UTC
start: ask
nodes:
  ask:
    type: collect
    prompts: [thank-you]
    into: dest
    min-digits: 3
    max-digits: 15
    timeout: 15s
    inter-digit-timeout: 3s
    next: out
    fallback: bye
  out:
    type: transfer
    number: "\${vars.dest}"
  bye: { type: hangup }
`;

/** A caller who types `keys` 6 s after the answer (RFC 4733 needs ~400 ms a digit; the scenario's second group, a lone '#', comes 6 s later). */
async function typingCaller(t: Test, s: IvrSite, caller: string, keys: string): Promise<{ done: Promise<SippResult> }> {
  const p = await startSipp({
    scenario: path.join(SCENARIOS, 'uac-ivr-keys.xml'), remote: s.sip, service: '+15550300', calls: 1, pauseMs: 6000,
    vars: { caller, keys1: keys, keys2: '#' }, timeoutMs: 45_000, traceMessages: true,
  });
  t.teardown(async () => {
    await p.stop(2000);
  });
  return { done: p.done };
}

t.test('a flow transferring to a typed number: a premium number is refused and no REFER is sent', async (t) => {
  const s = await startIvrSite(t, { site: { entryNumbers: [{ number: '+15550300', flow: 'dial-out' }] }, flows: { 'dial-out': FLOW } });

  const premium = await typingCaller(t, s, '+12125550001', '19005551234#');
  const refused = await s.bus.wait('dialing_refused', () => true, 30_000);
  t.match(refused.payload, { number: '+19005551234', class: 'premium-rate', purpose: 'transfer', reason: 'number-class' }, 'the typed premium number is refused');
  const started = s.bus.of('flow_started')[0];
  t.equal(refused.payload.callId, started?.payload.callId, 'naming the caller\'s call');
  const ended = await within(premium.done, 40_000, 'the first caller');
  t.notMatch(ended.messages, /^REFER /m, 'no REFER reached the caller');
  t.match(ended.messages, /^BYE /m, 'Tenor hung up after saying so');

  const domestic = await typingCaller(t, s, '+12125550002', '2125551234#');
  const second = await within(domestic.done, 40_000, 'the second caller');
  t.match(second.messages, /^REFER /m, 'a US number is transferred (REFER sent)');
  t.equal(s.bus.of('dialing_refused').length, 1, 'one refusal only');
});
