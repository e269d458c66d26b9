// Calls, SIP and RTP from the telephony driver's stats(), read when Prometheus
// scrapes (stats() only sums what the engine already counts). The engine keeps
// cumulative counts; they are published as counters, reset and then raised to
// the engine's figure, because prom-client counters have no set().

import { Counter, Gauge, type Registry } from 'prom-client';
import { sipResponseClasses, type DriverStats, type DriverTraffic } from '@tenor/telephony';

export function registerTelephonyMetrics(registry: Registry, stats: () => DriverStats): void {
  const registers = [registry];
  // An engine that does not count traffic (another driver) publishes no traffic series.
  const traffic = (): DriverTraffic | undefined => stats().traffic;

  new Gauge({
    name: 'tenor_calls_in_progress', help: 'Calls up now (ringing or answered, inbound and outbound)', registers,
    collect() {
      this.set(stats().activeCalls);
    },
  });
  new Gauge({
    name: 'tenor_bridges_in_progress', help: 'Pairs of calls connected to each other now (a caller talking to an agent)', registers,
    collect() {
      this.set(stats().activeBridges);
    },
  });
  // What a soak watches for leaks: dialogs, transactions, SIP timers, media ports... as the engine counts them.
  new Gauge({
    name: 'tenor_telephony_resources', help: "The engine's own resources now: dialogs, transactions, SIP timers, media ports, registrations (names differ per engine)",
    labelNames: ['resource'] as const, registers,
    collect() {
      this.reset();
      for (const [resource, value] of Object.entries(stats().resources)) this.set({ resource }, value);
    },
  });
  new Counter({
    name: 'tenor_calls_total', help: 'Calls since start: inbound taken (ringing here), outbound placed (answered or not)',
    labelNames: ['direction'] as const, registers,
    collect() {
      this.reset();
      const calls = traffic()?.callsStarted;
      if (!calls) return;
      this.inc({ direction: 'inbound' }, calls.inbound);
      this.inc({ direction: 'outbound' }, calls.outbound);
    },
  });
  new Counter({
    name: 'tenor_sip_responses_total', help: 'SIP responses sent and received, by status class (retransmissions included)',
    labelNames: ['direction', 'class'] as const, registers,
    collect() {
      this.reset();
      const sip = traffic()?.sip;
      if (!sip) return;
      for (const c of sipResponseClasses) {
        this.inc({ direction: 'sent', class: c }, sip.responsesSent[c]);
        this.inc({ direction: 'received', class: c }, sip.responsesReceived[c]);
      }
    },
  });
  new Counter({
    name: 'tenor_sip_retransmissions_total', help: 'SIP retransmissions: sent (no answer or ACK came in time), received (the far end repeated a request)',
    labelNames: ['direction'] as const, registers,
    collect() {
      this.reset();
      const sip = traffic()?.sip;
      if (!sip) return;
      this.inc({ direction: 'sent' }, sip.retransmissionsSent);
      this.inc({ direction: 'received' }, sip.retransmissionsReceived);
    },
  });
  new Counter({
    name: 'tenor_rtp_packets_total', help: 'RTP packets sent and received on every media stream',
    labelNames: ['direction'] as const, registers,
    collect() {
      this.reset();
      const rtp = traffic()?.rtp;
      if (!rtp) return;
      this.inc({ direction: 'sent' }, rtp.packetsSent);
      this.inc({ direction: 'received' }, rtp.packetsReceived);
    },
  });
  new Counter({
    name: 'tenor_rtp_packets_lost_total', help: 'RTP packets expected from the sequence numbers but never received (RFC 3550)', registers,
    collect() {
      this.reset();
      const rtp = traffic()?.rtp;
      if (rtp) this.inc(rtp.packetsLost);
    },
  });
  new Counter({
    name: 'tenor_rtp_packets_from_strangers_total', help: 'RTP packets dropped because they came from an address the call did not name', registers,
    collect() {
      this.reset();
      const rtp = traffic()?.rtp;
      if (rtp) this.inc(rtp.packetsFromStrangers);
    },
  });
  new Gauge({
    name: 'tenor_rtp_streams', help: 'Media streams open now', registers,
    collect() {
      this.set(traffic()?.rtp.openStreams ?? 0);
    },
  });
  new Gauge({
    name: 'tenor_rtp_jitter_seconds', help: 'Interarrival jitter (RFC 3550) of the media streams open now: their mean and the worst',
    labelNames: ['stat'] as const, registers,
    collect() {
      const rtp = traffic()?.rtp;
      this.set({ stat: 'mean' }, (rtp?.jitterMsMean ?? 0) / 1000);
      this.set({ stat: 'max' }, (rtp?.jitterMsMax ?? 0) / 1000);
    },
  });
}
