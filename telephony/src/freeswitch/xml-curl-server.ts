// The HTTP endpoint FreeSWITCH's mod_xml_curl asks for its directory: phones
// registering (and calling) with the secrets Tenor holds, the gateways made
// from Tenor's trunks, and the trunks' addresses for the profile's ACL. So an
// administrator manages users, devices and trunks in Tenor alone, and nothing
// secret is written into FreeSWITCH's files.
//
// It listens on one address (127.0.0.1 unless told), takes only requests with
// HTTP basic credentials made at random for this start (compared in constant
// time), and answers "not found" to anything that is not a lookup in Tenor's
// domain of a name it has.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import type { CredentialStore } from '../embedded/registrar/credentials.js';
import type { TrunkConfig } from '../embedded/engine/trunks.js';
import {
  NOT_FOUND, USER_NAME, gatewaysDocument, md5Ha1, networkListDocument, trunkEntryDocument, userDocument,
} from './directory-xml.js';

export interface FreeSwitchXmlServerOptions {
  /** Where to listen. Default 127.0.0.1: FreeSWITCH on the same host. */
  address?: string;
  /** Default: a free port. An existing FreeSWITCH's xml_curl.conf names a fixed one. */
  port?: number;
  /**
   * The basic-auth password FreeSWITCH must give (at least 16 characters).
   * Default: a random one made at this start, for a FreeSWITCH Tenor configures
   * itself; an existing FreeSWITCH's xml_curl.conf holds a fixed one.
   */
  password?: string;
  /** The phones' secrets (the server's store gives H(user:realm:secret) per algorithm). */
  credentials: CredentialStore;
  /** Tenor's SIP domain, also the digest realm: H(user:realm:secret) must be computed with it. */
  domain: string;
  /** The trunks to serve as gateways and as the ACL, read at each lookup. */
  trunks?: () => readonly TrunkConfig[];
  logger?: Logger;
}

/** What FreeSWITCH's xml_curl.conf needs to reach this server. */
export interface XmlCurlBinding {
  url: string;
  username: string;
  password: string;
}

export interface FreeSwitchXmlServer {
  readonly binding: XmlCurlBinding;
  /** Lookups answered, by outcome, for tests and diagnostics. */
  readonly counts: Readonly<Record<'served' | 'notFound' | 'refused', number>>;
  stop(): Promise<void>;
}

/** The most a lookup's form may weigh: FreeSWITCH's are a few kB. */
const MAX_BODY = 64 * 1024;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Compares the Authorization header with the expected basic credentials in constant time. */
function authorized(header: string | undefined, expected: Buffer): boolean {
  const given = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '')?.[1];
  if (given === undefined) return false;
  // Hashing first makes both sides the same length, so the comparison leaks nothing about it.
  return timingSafeEqual(digest(Buffer.from(given, 'base64').toString('utf8')), expected);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * The value of a name, or null when the form gives it twice with different
 * values: xml_curl puts `key_value` into the form without encoding it, so a
 * name chosen by a caller could otherwise smuggle in a second `user=`.
 */
function single(form: URLSearchParams, name: string): string | undefined | null {
  const all = form.getAll(name);
  return all.every((v) => v === all[0]) ? all[0] : null;
}

export async function startFreeSwitchXmlServer(opts: FreeSwitchXmlServerOptions): Promise<FreeSwitchXmlServer> {
  const logger = opts.logger ?? pino({ level: 'silent' });
  const address = opts.address ?? '127.0.0.1';
  const username = 'freeswitch';
  if (opts.password !== undefined && opts.password.length < 16) throw new Error('the xml_curl password must have at least 16 characters');
  const password = opts.password ?? randomBytes(24).toString('base64url');
  const expected = digest(`${username}:${password}`);
  const counts = { served: 0, notFound: 0, refused: 0 };
  const domain = opts.domain;
  const trunks = (): readonly TrunkConfig[] => opts.trunks?.() ?? [];

  /** The directory document for one lookup, or undefined for "not found". */
  const lookup = async (form: URLSearchParams): Promise<string | undefined> => {
    const section = single(form, 'section');
    const tagName = single(form, 'tag_name');
    const domainAsked = single(form, 'key_value');
    const domainParam = single(form, 'domain');
    if (section !== 'directory' || tagName !== 'domain' || domainAsked !== domain) return undefined;
    if (domainParam === null || (domainParam !== undefined && domainParam !== domain)) return undefined;
    const purpose = single(form, 'purpose');
    const user = single(form, 'user');
    if (purpose === null || user === null) return undefined;
    if (user === undefined) {
      if (purpose === 'gateways') return gatewaysDocument(domain, trunks());
      if (purpose === 'network-list') return networkListDocument(domain, trunks());
      return undefined;
    }
    const trunkEntry = trunkEntryDocument(domain, user);
    if (trunkEntry) return trunkEntry;
    if (!USER_NAME.test(user)) return undefined;
    const credential = await opts.credentials.lookup(user);
    const ha1 = credential && md5Ha1(user, domain, credential);
    return ha1 === undefined ? undefined : userDocument(domain, user, ha1);
  };

  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!authorized(req.headers.authorization, expected)) {
      counts.refused++;
      logger.warn({ remote: req.socket.remoteAddress }, 'xml_curl request without the right credentials refused');
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="tenor-freeswitch"', 'Content-Type': 'text/plain' }).end('unauthorized\n');
      return;
    }
    if (req.method !== 'POST' && req.method !== 'GET') {
      res.writeHead(405, { Allow: 'POST, GET' }).end();
      return;
    }
    const body = req.method === 'POST' ? await readBody(req) : new URL(req.url ?? '/', 'http://x').search.slice(1);
    if (body === undefined) {
      res.writeHead(413).end();
      return;
    }
    const form = new URLSearchParams(body);
    const xml = await lookup(form);
    if (xml === undefined) counts.notFound++;
    else counts.served++;
    logger.debug({
      section: form.get('section'), purpose: form.get('purpose'), action: form.get('action'), user: form.get('user'), found: xml !== undefined,
    }, 'xml_curl lookup');
    res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8' }).end(xml ?? NOT_FOUND);
  };

  const server = createServer((req, res) => {
    answer(req, res).catch((err: unknown) => {
      logger.error({ err }, 'xml_curl lookup failed');
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.on('clientError', (err, socket) => {
    logger.debug({ err }, 'malformed HTTP request to the xml_curl server');
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = address.includes(':') ? `[${address}]` : address;
  logger.info({ address, port }, 'xml_curl server for FreeSWITCH listening');

  return {
    binding: { url: `http://${host}:${port}/freeswitch/directory`, username, password },
    counts,
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
