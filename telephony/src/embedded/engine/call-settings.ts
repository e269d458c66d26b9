// What every call the engine makes, inbound or outbound, is given besides its
// own parties and legs: the media operations, timeouts, hold music and how a
// transfer target becomes a SIP URI.
import type { CallMediaOps, EmbeddedCallInit } from './call.js';
import type { ResolvedConfig } from './config.js';

export type CallSettings = Pick<EmbeddedCallInit, 'media' | 'mediaTimeoutMs' | 'referTarget' | 'holdMusic'>;

export function callSettings(cfg: ResolvedConfig, media: CallMediaOps): CallSettings {
  return {
    media,
    mediaTimeoutMs: cfg.mediaTimeoutMs,
    referTarget: (target) => referTarget(target, cfg.domain),
    ...(cfg.holdMusic !== undefined ? { holdMusic: cfg.holdMusic } : {}),
  };
}

function referTarget(target: string, domain: string): string {
  if (/^sips?:/i.test(target)) return target;
  if (target.includes('@')) return `sip:${target}`;
  return `sip:${target}@${domain}`;
}
