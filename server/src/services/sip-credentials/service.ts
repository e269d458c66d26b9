// SIP credentials of their own: a device that registers to Tenor's registrar
// (an agent's softphone, a supervisor's softphone) answers the digest challenge
// with a device secret, generated (shown once) or set by the admin, never
// derived from a web password. A SIP user name without a device secret has no
// credentials at all: every REGISTER as it is refused, admin's included.
//
// Secrets are kept sealed (core/sealed-box.ts); the digest material H(user:realm:secret)
// is computed when the registrar asks, for the install's own realm (realm.ts).

import { createHash, randomBytes } from 'node:crypto';
import type { TenorConfig } from '../../config/schema.js';
import { TenorError } from '../../core/errors.js';
import { openSealedBox } from '../../core/sealed-box.js';
import { defineService } from '../../core/service-manager.js';
import { agentFromConfig, sipDeviceUser } from '../acd/index.js';
import '../store.js';
import type { AccessChange } from '../users.js';
import { sipCredentialMigrations } from './migrations.js';
import { installationRealm } from './realm.js';
import { DeviceSecretsRepository, type DeviceDigest, type DeviceOwner, type StoredDeviceSecret } from './store.js';
import { userSipSecretRoutes } from './routes.js';
import { MIN_DEVICE_SECRET_LENGTH } from './secret-policy.js';

export type { DeviceDigest } from './store.js';
export { MIN_DEVICE_SECRET_LENGTH } from './secret-policy.js';

/** 'none': no SIP device (external number, persistent line to a number); 'missing': a SIP device without a secret yet. */
export type SipSecretStatus = 'none' | 'missing' | 'set';

export interface DigestMaterial {
  MD5: string;
  'SHA-256': string;
}

/** An agent's SIP device as the ACD knows it: the SIP user its phone registers as, if it has one. */
export interface AgentSipDevice {
  login: string;
  sipUser: string | undefined;
}

export interface SipCredentialsService {
  /** The registrar's digest realm (sip.realm, or this install's random one). */
  readonly realm: string;
  /** H(user:realm:secret) per algorithm for a SIP user with a device secret; undefined for any other name. */
  lookup(sipUser: string): DigestMaterial | undefined;
  /**
   * The digest algorithms the device registering as `sipUser` is offered (for a device still without
   * a secret: what the site file chose for it); undefined when there is neither.
   */
  digest(sipUser: string): DeviceDigest | undefined;
  /** Whether the device registering as `sipUser` has a secret ('none' when there is no SIP device). */
  status(sipUser: string | undefined): SipSecretStatus;
  /**
   * Give `owner`'s device, registering as `sipUser`, a secret: `secret` when the admin chose one,
   * else a generated one. Returns the secret (to be shown once). Replaces an earlier secret of that device.
   * `digest` chooses the algorithms offered; without it the device keeps its earlier choice
   * (or the site file's, or 'sha-256').
   */
  setSecret(owner: DeviceOwner, sipUser: string, secret?: string, digest?: DeviceDigest): Promise<string>;
  /** Change the digest algorithms `owner`'s device is offered; false when it has no device secret (nothing to change). */
  setDigest(owner: DeviceOwner, digest: DeviceDigest): Promise<boolean>;
  /** Drop `owner`'s device secrets (device removed, or no SIP device any more). */
  forget(owner: DeviceOwner): Promise<void>;
  /**
   * An agent's device changed: its secret follows it to a new SIP user name (unless that name is
   * someone else's), and is dropped when the agent has no SIP device any more (`sipUser` undefined).
   */
  agentDeviceChanged(login: string, sipUser: string | undefined): Promise<void>;
  /**
   * Bring all agents' device secrets in step with the agents (at start): as agentDeviceChanged for each,
   * and the secrets of agents that no longer exist are dropped. Returns the SIP devices without a secret.
   */
  syncAgents(agents: readonly AgentSipDevice[]): Promise<AgentSipDevice[]>;
}

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    sipCredentials: SipCredentialsService;
  }
}

export function generateDeviceSecret(): string {
  return randomBytes(18).toString('base64url');
}

function digestMaterial(user: string, realm: string, secret: string): DigestMaterial {
  const text = `${user}:${realm}:${secret}`;
  return {
    MD5: createHash('md5').update(text, 'utf8').digest('hex'),
    'SHA-256': createHash('sha256').update(text, 'utf8').digest('hex'),
  };
}

const sameOwner = (a: DeviceOwner, b: DeviceOwner): boolean => a.kind === b.kind && a.name === b.name;
const ownerText = (o: DeviceOwner): string => `${o.kind} '${o.name}'`;

export function sipCredentialsService(config: TenorConfig) {
  // What each running version holds (its listener on users, the device secrets it read), released by stop().
  const holdings = new WeakMap<SipCredentialsService, () => void>();
  return defineService<SipCredentialsService>({
    name: 'sipCredentials',
    version: '1.0.0',
    description: 'SIP device secrets (sealed) and the registrar realm',
    dependsOn: ['store', 'users'],
    routes: { plugin: userSipSecretRoutes },
    async start(ctx) {
      const db = ctx.get('store');
      await db.migrate(sipCredentialMigrations);
      const repo = new DeviceSecretsRepository(db);
      const box = openSealedBox(config.dataDir);
      const realm = installationRealm(config.dataDir, config.sip.realm);
      const rows = new Map((await repo.list()).map((r) => [r.sipUser, r]));

      const save = async (row: StoredDeviceSecret): Promise<void> => {
        await repo.save(row);
        rows.set(row.sipUser, row);
      };
      const drop = async (sipUser: string): Promise<void> => {
        await repo.delete(sipUser);
        rows.delete(sipUser);
      };
      // After a key rotation, secrets sealed with an older key are sealed again with the newest.
      for (const row of [...rows.values()]) if (box.isStale(row.sealedSecret)) await save({ ...row, sealedSecret: box.seal(box.open(row.sealedSecret)) });

      // The site file's digest choices, for agents' devices that get their secret later (through the API).
      const fileDigests = new Map<string, DeviceDigest>();
      for (const agent of config.site.agents) {
        if (agent.device && 'digest' in agent.device && agent.device.digest !== undefined) fileDigests.set(agent.login, agent.device.digest);
      }
      const digestFor = (owner: DeviceOwner, chosen: DeviceDigest | undefined): DeviceDigest =>
        chosen
        ?? [...rows.values()].find((r) => sameOwner(r.owner, owner))?.digest
        ?? (owner.kind === 'agent' ? fileDigests.get(owner.name) : undefined)
        ?? 'sha-256';

      const setSecret = async (owner: DeviceOwner, sipUser: string, secret?: string, digest?: DeviceDigest): Promise<string> => {
        if (secret !== undefined && secret.length < MIN_DEVICE_SECRET_LENGTH) {
          throw new TenorError('TENOR_ERR_VALIDATION', [`a device secret needs at least ${MIN_DEVICE_SECRET_LENGTH} characters`]);
        }
        const taken = rows.get(sipUser);
        if (taken && !sameOwner(taken.owner, owner)) throw new TenorError('TENOR_ERR_SIP_USER_TAKEN', [sipUser, ownerText(taken.owner)]);
        const chosenDigest = digestFor(owner, digest);
        // One device per owner: a secret for a new SIP user name replaces the one for the old name.
        for (const row of [...rows.values()]) if (sameOwner(row.owner, owner) && row.sipUser !== sipUser) await drop(row.sipUser);
        const value = secret ?? generateDeviceSecret();
        await save({ sipUser, owner, sealedSecret: box.seal(value), digest: chosenDigest });
        ctx.logger.info({ sipUser, owner: ownerText(owner), generated: secret === undefined, digest: chosenDigest }, 'SIP device secret set');
        return value;
      };

      const setDigest = async (owner: DeviceOwner, digest: DeviceDigest): Promise<boolean> => {
        const row = [...rows.values()].find((r) => sameOwner(r.owner, owner));
        if (!row) return false;
        if (row.digest !== digest) {
          await save({ ...row, digest });
          ctx.logger.info({ sipUser: row.sipUser, owner: ownerText(owner), digest }, 'SIP device digest algorithms changed');
        }
        return true;
      };

      const forget = async (owner: DeviceOwner): Promise<void> => {
        for (const row of [...rows.values()]) {
          if (!sameOwner(row.owner, owner)) continue;
          await drop(row.sipUser);
          ctx.logger.info({ sipUser: row.sipUser, owner: ownerText(owner) }, 'SIP device secret removed');
        }
      };
      const agentDeviceChanged = async (login: string, sipUser: string | undefined): Promise<void> => {
        const owner: DeviceOwner = { kind: 'agent', name: login };
        const row = [...rows.values()].find((r) => sameOwner(r.owner, owner));
        if (!row || row.sipUser === sipUser) return;
        await drop(row.sipUser);
        if (sipUser !== undefined && !rows.has(sipUser)) await save({ ...row, sipUser });
        ctx.logger.info({ owner: ownerText(owner), from: row.sipUser, to: sipUser ?? null }, 'SIP device secret follows the device');
      };

      // The site file's device secrets: the file wins at every start, like its trunks.
      for (const agent of config.site.agents) {
        const secret = agent.device && 'secret' in agent.device ? agent.device.secret : undefined;
        const digest = fileDigests.get(agent.login);
        const owner: DeviceOwner = { kind: 'agent', name: agent.login };
        const sipUser = sipDeviceUser(agentFromConfig(agent).device, agent.login);
        if (sipUser === undefined) continue;
        const row = rows.get(sipUser);
        const same = row !== undefined && sameOwner(row.owner, owner);
        if (secret !== undefined && !(same && box.open(row.sealedSecret) === secret)) await setSecret(owner, sipUser, secret, digest);
        else if (digest !== undefined && same) await setDigest(owner, digest);
      }

      // A deleted user's softphone stops registering with them.
      const users = ctx.get('users');
      const onAccessChanged = async (username: string, change: AccessChange): Promise<void> => {
        if (change === 'removed') await forget({ kind: 'user', name: username });
      };
      let stopped = false;
      let stopListening = users.onAccessChanged(onAccessChanged);
      ctx.whenReplaced('users', () => {
        stopListening();
        if (!stopped) stopListening = users.onAccessChanged(onAccessChanged);
      });

      const service: SipCredentialsService = {
        realm,
        lookup(sipUser) {
          const row = rows.get(sipUser);
          if (!row) {
            ctx.logger.debug({ sipUser }, 'SIP credentials asked for a name without a device secret');
            return undefined;
          }
          return digestMaterial(sipUser, realm, box.open(row.sealedSecret));
        },
        digest(sipUser) {
          const row = rows.get(sipUser);
          if (row) return row.digest;
          const agent = config.site.agents.find((a) => sipDeviceUser(agentFromConfig(a).device, a.login) === sipUser);
          return agent === undefined ? undefined : fileDigests.get(agent.login);
        },
        status: (sipUser) => (sipUser === undefined ? 'none' : rows.has(sipUser) ? 'set' : 'missing'),
        setSecret,
        setDigest,
        forget,
        agentDeviceChanged,
        async syncAgents(agents) {
          const logins = new Set(agents.map((a) => a.login));
          for (const row of [...rows.values()]) if (row.owner.kind === 'agent' && !logins.has(row.owner.name)) await forget(row.owner);
          for (const a of agents) await agentDeviceChanged(a.login, a.sipUser);
          return agents.filter((a) => a.sipUser !== undefined && !rows.has(a.sipUser));
        },
      };
      // A replaced or stopped version no longer answers for users' removals (its successor does)
      // nor keeps the sealed secrets in memory: it answers no lookup.
      holdings.set(service, () => {
        stopped = true;
        stopListening();
        rows.clear();
        fileDigests.clear();
        ctx.logger.info('SIP credentials stopped: device secrets released');
      });
      return service;
    },
    stop(instance) {
      holdings.get(instance)?.();
      holdings.delete(instance);
    },
  });
}
