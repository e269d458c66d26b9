// The site's SIP-over-TLS settings: whether the listener is on, its port, the
// certificate files (relative to the site file) and their checks, named by the
// field at fault. A certificate generated at first start is the telephony
// service's job (services/telephony/sip-tls.ts); this module only reads the file.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FileConfig, TenorConfig, TrunkConfig } from './schema.js';

interface ConfigProblem {
  source: string;
  message: string;
}

const DEFAULT_TLS_PORT = 5061;

/**
 * On when the file has sip.tls (even empty), sip.requireEncryption or a trunk over TLS (its
 * calls go out through the TLS transport, whose listener is the Contact the carrier calls back),
 * or TENOR_SIP_TLS_PORT is set.
 */
export function sipTls(fromFile: FileConfig, fromEnv: { sipTlsPort?: number; sipPort?: number }, file: string | undefined, cwd: string): TenorConfig['sip']['tls'] {
  const tls = fromFile.sip?.tls;
  const tlsTrunk = (fromFile.trunks ?? []).some((t) => t.transport === 'tls');
  if (tls === undefined && fromEnv.sipTlsPort === undefined && fromFile.sip?.requireEncryption !== true && !tlsTrunk) return undefined;
  const base = file ? path.dirname(file) : cwd;
  // A site on free ports (tests, a second instance) gets a free TLS port too, not a clash on 5061.
  const sipPort = fromEnv.sipPort ?? fromFile.sip?.port;
  const port = fromEnv.sipTlsPort ?? tls?.port ?? (sipPort === 0 ? 0 : DEFAULT_TLS_PORT);
  return {
    port,
    cert: tls?.cert !== undefined ? path.resolve(base, tls.cert) : undefined,
    key: tls?.key !== undefined ? path.resolve(base, tls.key) : undefined,
  };
}

/** A trunk's `ca` file, relative to the site file. */
export function resolveTrunkFiles(trunks: TrunkConfig[], file: string | undefined, cwd: string): TrunkConfig[] {
  const base = file ? path.dirname(file) : cwd;
  return trunks.map((t) => (t.ca !== undefined ? { ...t, ca: path.resolve(base, t.ca) } : t));
}

/** Readable files, a key that matches the certificate, both or neither; trunk CA files readable certificates. */
export function sipTlsProblems(config: TenorConfig): ConfigProblem[] {
  const source = (field: string): string => `${config.file ?? 'TENOR_CONFIG'} ${field}`;
  const problems: ConfigProblem[] = [];
  const tls = config.sip.tls;
  if (tls && (tls.cert === undefined) !== (tls.key === undefined)) {
    problems.push({ source: source(tls.cert === undefined ? 'sip.tls.cert' : 'sip.tls.key'), message: 'cert and key go together: give both, or neither for a generated self-signed certificate' });
  } else if (tls?.cert !== undefined && tls.key !== undefined) {
    const cert = readCertificate(tls.cert, 'sip.tls.cert', source, problems);
    const key = readKey(tls.key, source, problems);
    if (cert && key && !cert.checkPrivateKey(key)) {
      problems.push({ source: source('sip.tls.key'), message: `${tls.key} is not the private key of the certificate ${tls.cert}` });
    }
  }
  config.site.trunks.forEach((trunk, i) => {
    if (trunk.ca !== undefined) {
      if (trunk.transport !== 'tls') problems.push({ source: source(`trunks[${i}].ca`), message: `trunk '${trunk.name}': ca is for transport tls` });
      else readCertificate(trunk.ca, `trunks[${i}].ca`, source, problems);
    }
  });
  return problems;
}

function readCertificate(file: string, field: string, source: (field: string) => string, problems: ConfigProblem[]): X509Certificate | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push({ source: source(field), message: `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}` });
    return undefined;
  }
  try {
    return new X509Certificate(text);
  } catch {
    problems.push({ source: source(field), message: `${file} is not a PEM certificate` });
    return undefined;
  }
}

function readKey(file: string, source: (field: string) => string, problems: ConfigProblem[]): ReturnType<typeof createPrivateKey> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push({ source: source('sip.tls.key'), message: `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}` });
    return undefined;
  }
  try {
    return createPrivateKey(text);
  } catch {
    // The parse error would quote nothing useful (and must not echo key material): say what is expected.
    problems.push({ source: source('sip.tls.key'), message: `${file} is not an unencrypted PEM private key` });
    return undefined;
  }
}
