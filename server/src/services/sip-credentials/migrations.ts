// The SIP device secrets' table (ids 0720–0729, 0740–0749). One row per SIP user name that
// may register: the device of an agent (softphone, or a persistent line the
// agent's phone answers) or of a user (a supervisor's softphone for monitoring).
// The secret is sealed with the data folder's key (core/sealed-box.ts).

import type { Migration } from '../../store/database.js';

export const sipCredentialMigrations: readonly Migration[] = [
  {
    id: '0720-sip-device-secrets',
    up: `
      CREATE TABLE sip_device_secrets (
        sip_user TEXT PRIMARY KEY,
        owner_kind TEXT NOT NULL CHECK (owner_kind IN ('agent', 'user')),
        owner TEXT NOT NULL,
        sealed_secret TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `,
  },
  {
    // Until now every user had digest secrets derived from the web password
    // (MD5 and SHA-256 of user:tenor:password): password equivalents that let the
    // registrar guess web passwords, admin's included. They stop working: devices
    // register with a device secret of their own from now on.
    id: '0721-wipe-password-derived-sip-secrets',
    up: `UPDATE users SET sip_realm = NULL, sip_ha1_md5 = NULL, sip_ha1_sha256 = NULL;`,
  },
  {
    // The digest algorithms a device is offered: 'sha-256' (SHA-256 first, then MD5, the
    // default) or 'md5' for an older phone that gives up when offered SHA-256.
    id: '0740-sip-device-digest',
    up: `ALTER TABLE sip_device_secrets ADD COLUMN digest TEXT NOT NULL DEFAULT 'sha-256' CHECK (digest IN ('sha-256', 'md5'));`,
  },
];
