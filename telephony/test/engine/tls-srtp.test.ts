// baresip as a softphone that must encrypt: it registers over TLS (trusting the
// engine's self-signed certificate through sip_cafile), and its calls carry SRTP
// (mediaenc srtp-mand: it sends and takes nothing else). Audio is checked by
// content at baresip (what it recorded after decryption), and on the wire the
// payload is checked not to be the clear PCMU.
import t from 'tap';
import pino from 'pino';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedDriver } from '../../src/embedded/engine/driver.js';
import { InMemoryCredentialStore } from '../../src/embedded/registrar/credentials.js';
import { readWavFile } from '../../src/audio/index.js';
import { decodeUlaw } from '../../src/embedded/media/g711.js';
import { Baresip } from '../peers/baresip.js';
import { makeToneWav } from '../peers/audio.js';
import { decodeRtp, startCapture } from '../peers/capture.js';
import { rtpRange } from '../contract/sip-peer.js';
import { tonePower } from '../media/fixtures/rtp-peer.js';
import { makeCertificate } from './tls-fixtures.js';

const silent = pino({ level: 'silent' });

/** Power of `freq` in the middle second of a recording (baresip's dec side: what it heard, decrypted). */
async function heardPower(file: string, freq: number): Promise<number> {
  const wav = await readWavFile(file);
  const pcm = wav.samples;
  const start = Math.max(0, Math.floor(pcm.length / 2) - 4000);
  return tonePower(pcm.subarray(start, start + 8000), freq);
}

t.test('baresip registers over TLS and a call with SRTP carries audio both ways, encrypted on the wire', async (t) => {
  // baresip truncates long paths: a short folder, not tap's fixture folder.
  const dir = await mkdtemp(join(tmpdir(), 'tenor-tls-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const certificate = await makeCertificate(dir);
  const rtp = rtpRange();
  const driver = new EmbeddedDriver({
    sipPort: 0, rtpPorts: rtp, logger: silent, domain: '127.0.0.1',
    credentials: new InMemoryCredentialStore({ agent: 'agent-password' }),
    tls: { port: 0, cert: certificate.cert, key: certificate.key },
    requireEncryption: (user) => user === 'agent',
  });
  await driver.start();
  t.teardown(() => driver.stop());
  const tlsPort = driver.sipTlsPort ?? 0;
  t.ok(tlsPort > 0, `TLS listener on ${tlsPort}`);

  const mic = await makeToneWav(join(dir, 'mic.wav'), { seconds: 30, frequency: 1000 });
  const phone = await Baresip.start({
    user: 'agent', registrar: `127.0.0.1:${tlsPort}`, password: 'agent-password', registerIntervalS: 600,
    tls: { caFile: certificate.certFile }, mediaenc: 'srtp-mand', mic: { wav: mic }, recordDir: join(dir, 'rec'),
  });
  t.teardown(() => phone.stop());
  t.equal(await phone.waitForRegistration(10_000), 'ok', 'registered over TLS');
  const binding = driver.registrar?.lookup('agent')[0];
  t.equal(binding?.source.transport, 'tls', 'the binding is on the TLS connection');

  const capture = await startCapture({ portRange: { from: rtp.min, to: rtp.max }, snaplen: 400 });
  t.teardown(() => capture.dispose());
  // The echo test: baresip's own 1000 Hz comes back only if the engine decrypted it and encrypted it again.
  t.ok((await phone.dial(`sip:9196@127.0.0.1:${tlsPort}`)).ok, 'dial accepted');
  await phone.waitForEvent('CALL_ESTABLISHED', { timeoutMs: 10_000 }).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\nbaresip said:\n${phone.log()}`);
  });
  await new Promise((r) => setTimeout(r, 2500));
  const closedFrom = phone.mark();
  await phone.hangup();
  await phone.waitForEvent('CALL_CLOSED', { from: closedFrom, timeoutMs: 10_000 });
  const { packets } = await capture.stop();

  // Our own SRTP offer: the engine calls the phone on its TLS connection and plays 600 Hz.
  const prompt = await makeToneWav(join(dir, 'prompt.wav'), { seconds: 3, frequency: 600 });
  await new Promise((r) => setTimeout(r, 1100)); // baresip names recordings by the second
  const established = phone.mark();
  const call = await driver.originate({ kind: 'device', user: 'agent' }, { timeoutMs: 10_000 });
  await phone.waitForEvent('CALL_ESTABLISHED', { from: established, timeoutMs: 10_000 });
  await call.play({ prompts: [{ file: prompt }] });
  await call.hangup();
  await phone.waitForEvent('CALL_CLOSED', { from: established, timeoutMs: 10_000 });
  await phone.stop();

  const fromEngine = packets.filter((p) => p.srcPort >= rtp.min && p.srcPort <= rtp.max).map(decodeRtp).filter((p) => p !== undefined);
  t.ok(fromEngine.length > 50, `the engine sent ${fromEngine.length} packets`);
  t.ok(fromEngine.every((p) => p?.payloadLength === 160 + 10), 'each carries 160 bytes of audio and an 80-bit SRTP tag');
  const wire = new Int16Array(fromEngine.slice(10, 60).flatMap((p) => (p ? [...decodeUlaw(p.payload.subarray(0, 160))] : [])));
  const wirePower = tonePower(wire, 1000);
  t.ok(wirePower < 0.01, `read as PCMU, the wire holds no 1000 Hz tone (power ${wirePower.toFixed(4)})`);

  const decoded = (await phone.recordings()).filter((f) => f.endsWith('-dec.wav'));
  t.equal(decoded.length, 2, `baresip recorded what it heard on both calls (${decoded.join(', ')})`);
  const [echoed, played] = decoded;
  if (echoed && played) {
    const power = await heardPower(echoed, 1000);
    t.ok(power > 0.02, `after decryption baresip heard its 1000 Hz back (power ${power.toFixed(4)})`);
    const prompted = await heardPower(played, 600);
    t.ok(prompted > 0.02, `on the engine's SRTP offer baresip heard the 600 Hz prompt (power ${prompted.toFixed(4)})`);
  }
  t.ok((driver.stats().traffic?.rtp.packetsReceived ?? 0) > 50, 'the engine took baresip SRTP');
});
