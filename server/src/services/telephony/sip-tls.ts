// The certificate of the SIP-over-TLS listener: the site's files when sip.tls
// names them (checked when the configuration was read), else a self-signed one
// made at first start with the system's openssl (Debian has it; no npm package
// needed for one command) and kept in the data folder, so phones that pinned it
// keep trusting it across restarts. Its name is the public address.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import type { TenorConfig } from '../../config/schema.js';

const run = promisify(execFile);
const FOLDER = 'sip-tls';

export interface SipTlsMaterial {
  port: number;
  cert: string;
  key: string;
  /** Where the certificate is: a phone or a test trusts it from there. */
  certFile: string;
}

export async function sipTlsMaterial(config: TenorConfig, logger: Logger): Promise<SipTlsMaterial | undefined> {
  const tls = config.sip.tls;
  if (!tls) return undefined;
  if (tls.cert !== undefined && tls.key !== undefined) {
    return { port: tls.port, cert: await readFile(tls.cert, 'utf8'), key: await readFile(tls.key, 'utf8'), certFile: tls.cert };
  }
  const folder = path.join(config.dataDir, FOLDER);
  const certFile = path.join(folder, 'cert.pem');
  const keyFile = path.join(folder, 'key.pem');
  const kept = await readPair(certFile, keyFile);
  if (kept) return { port: tls.port, ...kept, certFile };
  await generate(folder, certFile, keyFile, config.sip.publicAddress);
  logger.info({ certFile }, 'self-signed SIP TLS certificate generated (set sip.tls.cert and key for one phones trust)');
  const made = await readPair(certFile, keyFile);
  if (!made) throw new Error(`the generated SIP TLS certificate in ${folder} cannot be read back`);
  return { port: tls.port, ...made, certFile };
}

async function readPair(certFile: string, keyFile: string): Promise<{ cert: string; key: string } | undefined> {
  try {
    const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
    new X509Certificate(cert);
    return { cert, key };
  } catch {
    // Not made yet (first start) or damaged: a new pair is generated.
    return undefined;
  }
}

/** An EC P-256 key and a ten-year self-signed certificate for the public address, written atomically. */
async function generate(folder: string, certFile: string, keyFile: string, publicAddress: string): Promise<void> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const name = publicAddress.replace(/[^A-Za-z0-9.:-]/g, '') || 'tenor';
  const san = isIP(name) ? `IP:${name}` : `DNS:${name}`;
  const tmpCert = `${certFile}.${process.pid}.tmp`;
  const tmpKey = `${keyFile}.${process.pid}.tmp`;
  try {
    await run('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '3650',
      '-subj', `/CN=${name}`, '-addext', `subjectAltName=${san}`, '-keyout', tmpKey, '-out', tmpCert,
    ], { timeout: 30_000 });
    await rename(tmpKey, keyFile);
    await rename(tmpCert, certFile);
  } finally {
    await Promise.all([rm(tmpCert, { force: true }), rm(tmpKey, { force: true })]);
  }
}
