// Contract cases about media on one call: prompts (before and after answer),
// digits, recordings and answering-machine detection.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readWavHeader } from '../audio/index.js';
import { WAIT, answeredInbound, nextIncoming, tolerate, waitUntil, type Case } from './steps.js';

export const mediaCases: Record<string, Case> = {
  'early media: prompts play before answer': async (t, h) => {
    const incoming = nextIncoming(h);
    const peer = await h.peer.call({ from: '+15550104', to: '5004', as: 'unknown' });
    const { call } = await incoming;
    await call.ring({ earlyMedia: true });
    t.equal(call.state, 'early');
    await peer.waitRinging(WAIT);
    t.same(await call.play({ prompts: [await h.promptFile(800)] }), { reason: 'done' });
    await tolerate(t, waitUntil(() => peer.heardToneMs() >= 500, 3000, 'early media heard'));
    t.ok(peer.heardToneMs() >= 500, `caller heard the prompt before answer (${peer.heardToneMs()} ms)`);
    t.ok(!peer.answered, 'not answered yet');
    await call.answer();
    await peer.waitAnswered(WAIT);
    await call.hangup();
  },

  'play completes and the caller hears it': async (t, h) => {
    const { call, peer } = await answeredInbound(h);
    const prompt = await h.promptFile(1000);
    const result = await call.play({ prompts: [prompt] });
    t.same(result, { reason: 'done' });
    await tolerate(t, waitUntil(() => peer.heardToneMs() >= 700, 3000, 'prompt heard'));
    t.ok(peer.heardToneMs() >= 700, `caller heard the prompt (${peer.heardToneMs()} ms)`);
    await call.hangup();
  },

  'play is interrupted by a digit': async (t, h) => {
    const { call, peer } = await answeredInbound(h);
    const prompt = await h.promptFile(8000);
    const started = Date.now();
    const playing = call.play({ prompts: [prompt], interruptOn: true });
    await new Promise((r) => setTimeout(r, 500));
    await peer.sendDigits('5');
    const result = await playing;
    t.same(result, { reason: 'dtmf', digit: '5' });
    t.ok(Date.now() - started < 6000, 'stopped well before the prompt ended');
    await call.hangup();
  },

  'a looping play goes on past its prompt until stopped, then the caller hears nothing more': async (t, h) => {
    const { call, peer } = await answeredInbound(h);
    const stop = new AbortController();
    const playing = call.play({ prompts: [await h.promptFile(400)], loop: true, signal: stop.signal });
    await tolerate(t, waitUntil(() => peer.heardToneMs() >= 1200, 6000, 'the prompt heard again and again'));
    t.ok(peer.heardToneMs() >= 1200, `a 400 ms prompt looped (${peer.heardToneMs()} ms heard)`);
    stop.abort();
    t.same(await playing, { reason: 'stopped' }, 'stopping ends the play');
    await new Promise((r) => setTimeout(r, 300));
    const heard = peer.heardToneMs();
    await new Promise((r) => setTimeout(r, 1000));
    t.ok(peer.heardToneMs() - heard < 200, `nothing more after the stop (${peer.heardToneMs() - heard} ms in 1 s)`);
    await call.hangup();
  },

  'play stops when the call ends': async (t, h) => {
    const { call, peer } = await answeredInbound(h);
    const playing = call.play({ prompts: [await h.promptFile(8000)] });
    await new Promise((r) => setTimeout(r, 300));
    await peer.hangup();
    t.same(await playing, { reason: 'hangup' });
  },

  'collectDigits: max digits, terminator, timeouts': async (t, h) => {
    const { call, peer } = await answeredInbound(h);
    const dtmf: string[] = [];
    call.on('dtmf', (d) => dtmf.push(d));

    const max = call.collectDigits({ maxDigits: 3, firstDigitTimeoutMs: 8000, interDigitTimeoutMs: 4000 });
    await peer.sendDigits('1234');
    t.same(await max, { digits: '123', reason: 'max-digits' });

    await new Promise((r) => setTimeout(r, 300)); // let the stray '4' arrive before the next collection
    const term = call.collectDigits({ maxDigits: 10, firstDigitTimeoutMs: 8000, interDigitTimeoutMs: 4000, terminators: '#' });
    await peer.sendDigits('42#');
    t.same(await term, { digits: '42', reason: 'terminator' });

    const first = await call.collectDigits({ maxDigits: 4, firstDigitTimeoutMs: 400, interDigitTimeoutMs: 400 });
    t.same(first, { digits: '', reason: 'timeout' }, 'nothing pressed');

    const inter = call.collectDigits({ maxDigits: 4, firstDigitTimeoutMs: 8000, interDigitTimeoutMs: 700 });
    await peer.sendDigits('7');
    t.same(await inter, { digits: '7', reason: 'timeout' }, 'one digit then silence');
    t.same(dtmf.join(''), '123442#7', 'every digit raised a dtmf event');
    await call.hangup();
  },

  'record writes a WAV of the right length': async (t, h) => {
    const { call, peer } = await answeredInbound(h);
    peer.startTone();
    const file = join(h.tmpDir, `rec-${Date.now()}.wav`);
    const result = await call.record({ file, maxSeconds: 2 });
    peer.stopTone();
    t.equal(result.reason, 'max-length');
    t.equal(result.file, file);
    const info = readWavHeader(await readFile(file));
    t.ok(Math.abs(info.durationMs - 2000) <= 400, `file lasts ~2 s (${Math.round(info.durationMs)} ms)`);
    t.ok(Math.abs(result.durationMs - info.durationMs) <= 400, 'reported duration matches the file');

    const keyFile = join(h.tmpDir, `rec-key-${Date.now()}.wav`);
    const keyed = call.record({ file: keyFile, maxSeconds: 20, stopKeys: '#' });
    await new Promise((r) => setTimeout(r, 800));
    await peer.sendDigits('#');
    const keyResult = await keyed;
    t.equal(keyResult.reason, 'key');
    t.equal(keyResult.key, '#');
    await call.hangup();
  },

  'detectAnsweringMachine: silence is unknown, a steady tone is a machine, abort and hangup end it': async (t, h) => {
    const { call, peer } = await answeredInbound(h);
    const quiet = await call.detectAnsweringMachine({ initialSilenceMs: 600, maxWaitMs: 5000 });
    t.same([quiet.result, quiet.reason], ['unknown', 'initial-silence'], 'the peer sends silence: nobody answered with a voice');
    peer.startTone();
    const toned = await call.detectAnsweringMachine({ maxWaitMs: 8000 });
    peer.stopTone();
    t.equal(toned.result, 'machine', `a steady tone is a machine (${toned.reason})`);
    const abort = new AbortController();
    const aborted = call.detectAnsweringMachine({ signal: abort.signal, initialSilenceMs: 20_000, maxWaitMs: 20_000 });
    abort.abort();
    t.same((await aborted).reason, 'stopped');
    const cut = call.detectAnsweringMachine({ initialSilenceMs: 20_000, maxWaitMs: 20_000 });
    await peer.hangup();
    t.same(await cut.then((r) => [r.result, r.reason]), ['unknown', 'hangup'], 'the far end hung up during detection');
  },
};
