// Users who may log in. On first start an `admin` user is created with
// TENOR_ADMIN_PASSWORD, or with a generated password that is printed once.

import { defineService } from '../core/service-manager.js';
import { generatePassword, hashPassword, sipDigestSecrets, verifyPassword } from '../core/passwords.js';
import { UsersRepository, type Role, type SipDigestSecrets, type User } from '../store/repos/users.js';

export interface UsersService {
  /** The password generated for `admin` on this start, if one was (shown once, never stored in clear). */
  readonly generatedAdminPassword: string | undefined;
  authenticate(username: string, password: string): Promise<User | undefined>;
  create(user: { username: string; displayName?: string; password: string; role: Role }): Promise<User>;
  list(): Promise<User[]>;
  setPassword(username: string, password: string): Promise<boolean>;
  /** Awaited after a password was changed (web sessions of that user end). Returns an unsubscribe function. */
  onPasswordChanged(listener: (username: string) => Promise<void>): () => void;
  /** Digest secrets for SIP registration in the configured realm; undefined for unknown users. */
  sipSecrets(username: string): Promise<SipDigestSecrets | undefined>;
}

declare module '../core/service-manager.js' {
  interface ServiceMap {
    users: UsersService;
  }
}

// Verifying against this when the user does not exist keeps the time of a
// failed login the same for known and unknown names.
const decoyHash = hashPassword(generatePassword());

export function usersService(adminPassword: string | undefined, sipRealm: string) {
  return defineService<UsersService>({
    name: 'users',
    version: '1.0.0',
    description: 'User accounts and password checks (scrypt)',
    dependsOn: ['store'],
    async start(ctx) {
      const repo = new UsersRepository(ctx.get('store'));
      let generated: string | undefined;
      const passwordListeners = new Set<(username: string) => Promise<void>>();
      if (!(await repo.findByUsername('admin'))) {
        const password = adminPassword ?? (generated = generatePassword());
        await repo.create({
          username: 'admin',
          displayName: 'Administrator',
          passwordHash: await hashPassword(password),
          role: 'admin',
          sip: sipDigestSecrets('admin', sipRealm, password),
        });
        ctx.logger.info({ generated: generated !== undefined }, 'admin user created');
      }
      return {
        generatedAdminPassword: generated,
        async authenticate(username, password) {
          const hash = await repo.passwordHash(username);
          const ok = await verifyPassword(password, hash ?? (await decoyHash));
          return ok && hash ? repo.findByUsername(username) : undefined;
        },
        async create(user) {
          return repo.create({
            username: user.username,
            displayName: user.displayName ?? user.username,
            passwordHash: await hashPassword(user.password),
            role: user.role,
            sip: sipDigestSecrets(user.username, sipRealm, user.password),
          });
        },
        list: () => repo.list(),
        async setPassword(username, password) {
          const changed = await repo.setPassword(username, await hashPassword(password), sipDigestSecrets(username, sipRealm, password));
          if (changed) await Promise.all([...passwordListeners].map((listener) => listener(username)));
          return changed;
        },
        onPasswordChanged(listener) {
          passwordListeners.add(listener);
          return () => void passwordListeners.delete(listener);
        },
        async sipSecrets(username) {
          const secrets = await repo.sipSecrets(username);
          // Secrets made for another realm (the realm was reconfigured) cannot verify: the password must be set again.
          return secrets?.realm === sipRealm ? secrets : undefined;
        },
      };
    },
  });
}
