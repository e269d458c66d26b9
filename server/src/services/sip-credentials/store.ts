// Rows of sip_device_secrets: who owns the device registering as a SIP user,
// and its secret, sealed.

import type { SqlExecutor } from '../../store/database.js';

export type OwnerKind = 'agent' | 'user';

/** The digest algorithms a device is offered: SHA-256 first then MD5 (the default), or MD5 alone for an older phone. */
export type DeviceDigest = 'sha-256' | 'md5';

export interface DeviceOwner {
  kind: OwnerKind;
  name: string;
}

export interface StoredDeviceSecret {
  sipUser: string;
  owner: DeviceOwner;
  sealedSecret: string;
  digest: DeviceDigest;
}

interface Row {
  sip_user: string;
  owner_kind: OwnerKind;
  owner: string;
  sealed_secret: string;
  digest: DeviceDigest;
}

export class DeviceSecretsRepository {
  constructor(private readonly db: SqlExecutor) {}

  async list(): Promise<StoredDeviceSecret[]> {
    const rows = await this.db.all<Row>('SELECT sip_user, owner_kind, owner, sealed_secret, digest FROM sip_device_secrets ORDER BY sip_user');
    return rows.map((r) => ({ sipUser: r.sip_user, owner: { kind: r.owner_kind, name: r.owner }, sealedSecret: r.sealed_secret, digest: r.digest }));
  }

  async save(row: StoredDeviceSecret): Promise<void> {
    await this.db.run(
      `INSERT INTO sip_device_secrets (sip_user, owner_kind, owner, sealed_secret, digest, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (sip_user) DO UPDATE SET owner_kind = excluded.owner_kind, owner = excluded.owner,
         sealed_secret = excluded.sealed_secret, digest = excluded.digest, updated_at = excluded.updated_at`,
      [row.sipUser, row.owner.kind, row.owner.name, row.sealedSecret, row.digest, new Date().toISOString()],
    );
  }

  async delete(sipUser: string): Promise<void> {
    await this.db.run('DELETE FROM sip_device_secrets WHERE sip_user = ?', [sipUser]);
  }
}
