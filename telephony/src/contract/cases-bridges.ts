// Contract cases about joining calls: bridges, hold with and without one,
// and a supervisor's monitor (listen, whisper and barge).
import { WAIT, answeredInbound, hangupOf, tolerate, waitUntil, type Case } from './steps.js';

export const bridgeCases: Record<string, Case> = {
  'bridge carries audio both ways, unbridge stops it': async (t, h) => {
    const a = await answeredInbound(h);
    const b = await answeredInbound(h);
    const bridge = await h.driver.bridge(a.call, b.call);
    t.equal(h.driver.stats().activeBridges, 1);
    a.peer.startTone();
    b.peer.startTone();
    await tolerate(t, waitUntil(() => a.peer.heardToneMs() > 500 && b.peer.heardToneMs() > 500, WAIT, 'audio both ways'));
    t.ok(b.peer.heardToneMs() > 500, `b hears a (${b.peer.heardToneMs()} ms)`);
    t.ok(a.peer.heardToneMs() > 500, `a hears b (${a.peer.heardToneMs()} ms)`);
    await bridge.unbridge();
    await bridge.unbridge();
    t.equal(h.driver.stats().activeBridges, 0);
    await new Promise((r) => setTimeout(r, 300));
    const heard = b.peer.heardToneMs();
    await new Promise((r) => setTimeout(r, 800));
    t.ok(b.peer.heardToneMs() - heard < 200, 'no audio after unbridge');
    t.equal(a.call.state, 'answered', 'both calls stay up');
    a.peer.stopTone();
    b.peer.stopTone();
    await a.call.hangup();
    await b.call.hangup();
  },

  'play on a bridged call: only that call hears it, and the bridge goes on': async (t, h) => {
    const a = await answeredInbound(h);
    const b = await answeredInbound(h);
    await h.driver.bridge(a.call, b.call);
    const result = await a.call.play({ prompts: [await h.promptFile(1000)] });
    t.same(result, { reason: 'done' });
    await tolerate(t, waitUntil(() => a.peer.heardToneMs() >= 700, 3000, 'prompt heard'));
    t.ok(a.peer.heardToneMs() >= 700, `the call played to hears the prompt (${a.peer.heardToneMs()} ms)`);
    t.ok(b.peer.heardToneMs() < 200, `the other side does not (${b.peer.heardToneMs()} ms)`);
    const before = a.peer.heardToneMs();
    b.peer.startTone();
    await tolerate(t, waitUntil(() => a.peer.heardToneMs() - before > 300, WAIT, 'bridged audio after the prompt'));
    t.ok(a.peer.heardToneMs() - before > 300, 'the bridge still carries audio');
    b.peer.stopTone();
    await a.call.hangup();
    await b.call.hangup();
  },

  'a bridged call ending ends the bridge': async (t, h) => {
    const a = await answeredInbound(h);
    const b = await answeredInbound(h);
    await h.driver.bridge(a.call, b.call);
    const ended = hangupOf(a.call);
    await a.peer.hangup();
    t.equal(await ended, 'normal');
    await tolerate(t, waitUntil(() => h.driver.stats().activeBridges === 0, WAIT, 'bridge released'));
    t.equal(h.driver.stats().activeBridges, 0);
    t.equal(b.call.state, 'answered', 'the other side stays up for the application to decide');
    await b.call.hangup();
  },

  'hold and unhold': async (t, h) => {
    const { call, peer } = await answeredInbound(h);
    await call.hold({ music: await h.promptFile(3000) });
    await tolerate(t, waitUntil(() => peer.heldByDriver, WAIT, 'peer held'));
    t.ok(peer.heldByDriver, 'the far end was put on hold');
    await tolerate(t, waitUntil(() => peer.heardToneMs() > 300, WAIT, 'music heard'));
    t.ok(peer.heardToneMs() > 300, 'the held party hears music');
    await call.unhold();
    await tolerate(t, waitUntil(() => !peer.heldByDriver, WAIT, 'peer resumed'));
    t.ok(!peer.heldByDriver, 'taken off hold');
    // The music was 3 s long: what is still heard after unhold is music that did not stop.
    await new Promise((r) => setTimeout(r, 300));
    const heard = peer.heardToneMs();
    await new Promise((r) => setTimeout(r, 1000));
    t.ok(peer.heardToneMs() - heard < 200, `the music stops with the hold (${peer.heardToneMs() - heard} ms in 1 s after)`);
    await call.hangup();
  },

  'hold while bridged: the held side hears music, the other side hears nothing': async (t, h) => {
    const a = await answeredInbound(h);
    const b = await answeredInbound(h);
    await h.driver.bridge(a.call, b.call);
    b.peer.startTone();
    await tolerate(t, waitUntil(() => a.peer.heardToneMs() > 300, WAIT, 'a hears b'));
    t.ok(a.peer.heardToneMs() > 300, 'bridged audio flows before hold');
    await b.call.hold({ music: await h.promptFile(3000) });
    await tolerate(t, waitUntil(() => b.peer.heldByDriver, WAIT, 'b held'));
    t.ok(b.peer.heldByDriver, 'b was put on hold');
    await new Promise((r) => setTimeout(r, 300));
    const heardByA = a.peer.heardToneMs();
    const heardByB = b.peer.heardToneMs();
    await new Promise((r) => setTimeout(r, 1000));
    t.ok(a.peer.heardToneMs() - heardByA < 200, 'a no longer hears b');
    t.ok(b.peer.heardToneMs() - heardByB > 500, 'b hears music');
    await b.call.unhold();
    await tolerate(t, waitUntil(() => a.peer.heardToneMs() - heardByA > 300, WAIT, 'a hears b again'));
    t.ok(a.peer.heardToneMs() - heardByA > 300, 'relay resumes after unhold');
    b.peer.stopTone();
    await a.call.hangup();
    await b.call.hangup();
  },

  'monitor: a listener hears both sides': async (t, h) => {
    const a = await answeredInbound(h);
    const b = await answeredInbound(h);
    const sup = await answeredInbound(h);
    await h.driver.bridge(a.call, b.call);
    const monitor = await h.driver.monitor(a.call, sup.call, 'listen');
    t.equal(monitor.mode, 'listen');
    a.peer.startTone();
    await tolerate(t, waitUntil(() => sup.peer.heardToneMs() > 300, WAIT, 'supervisor hears'));
    t.ok(sup.peer.heardToneMs() > 300, 'the supervisor hears the call');
    await monitor.stop();
    a.peer.stopTone();
    for (const leg of [a, b, sup]) await leg.call.hangup();
  },

  'monitor: a whisper reaches only the monitored side': async (t, h) => {
    const a = await answeredInbound(h);
    const b = await answeredInbound(h);
    const sup = await answeredInbound(h);
    await h.driver.bridge(a.call, b.call);
    const monitor = await h.driver.monitor(a.call, sup.call, 'listen');
    sup.peer.startTone();
    await new Promise((r) => setTimeout(r, 800));
    t.ok(a.peer.heardToneMs() < 200, 'listen mode: nobody hears the supervisor');
    await monitor.setMode('whisper');
    t.equal(monitor.mode, 'whisper');
    await tolerate(t, waitUntil(() => a.peer.heardToneMs() > 400, WAIT, 'whisper heard'));
    t.ok(a.peer.heardToneMs() > 400, 'the monitored side hears the whisper');
    t.ok(b.peer.heardToneMs() < 200, 'the other side does not');
    await monitor.stop();
    sup.peer.stopTone();
    for (const leg of [a, b, sup]) await leg.call.hangup();
  },

  'monitor: a barge reaches both sides, and the supervisor still hears both': async (t, h) => {
    const a = await answeredInbound(h);
    const b = await answeredInbound(h);
    const sup = await answeredInbound(h);
    await h.driver.bridge(a.call, b.call);
    const monitor = await h.driver.monitor(a.call, sup.call, 'barge');
    t.equal(monitor.mode, 'barge');
    sup.peer.startTone();
    await tolerate(t, waitUntil(() => a.peer.heardToneMs() > 400 && b.peer.heardToneMs() > 400, WAIT, 'barge heard by both'));
    t.ok(a.peer.heardToneMs() > 400, `the monitored side hears the supervisor (${a.peer.heardToneMs()} ms)`);
    t.ok(b.peer.heardToneMs() > 400, `the other side hears the supervisor too (${b.peer.heardToneMs()} ms)`);
    sup.peer.stopTone();
    await new Promise((r) => setTimeout(r, 300));
    for (const [side, leg] of [['monitored', a], ['other', b]] as const) {
      const before = sup.peer.heardToneMs();
      leg.peer.startTone();
      await tolerate(t, waitUntil(() => sup.peer.heardToneMs() - before > 300, WAIT, `supervisor hears the ${side} side`));
      t.ok(sup.peer.heardToneMs() - before > 300, `the supervisor hears the ${side} side (${sup.peer.heardToneMs() - before} ms)`);
      leg.peer.stopTone();
      await new Promise((r) => setTimeout(r, 300));
    }
    await monitor.stop();
    for (const leg of [a, b, sup]) await leg.call.hangup();
  },
};
