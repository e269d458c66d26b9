// Users who may log in. On first start an `admin` user is created with
// TENOR_ADMIN_PASSWORD, or with a generated password that is printed once.

import { defineService } from '../core/service-manager.js';
import { TenorError } from '../core/errors.js';
import { generatePassword, hashPassword, needsRehash, verifyPassword } from '../core/passwords.js';
import { assertNewPassword } from '../core/password-policy.js';
import { VerifiedPasswords } from '../core/verified-passwords.js';
import { UsersRepository, type Role, type User } from '../store/repos/users.js';
import { userRoutes } from './user-routes.js';

export interface UsersService {
  /** The password generated for `admin` on this start, if one was (shown once, never stored in clear). */
  readonly generatedAdminPassword: string | undefined;
  authenticate(username: string, password: string): Promise<User | undefined>;
  create(user: { username: string; displayName?: string; password: string; role: Role }): Promise<User>;
  list(): Promise<User[]>;
  get(username: string): Promise<User | undefined>;
  setPassword(username: string, password: string): Promise<boolean>;
  /**
   * Change a user's display name, role and/or password (undefined for an unknown user).
   * Refused (TENOR_ERR_USER_REFUSED) when it would demote the last admin.
   */
  update(username: string, changes: { displayName?: string; role?: Role; password?: string }): Promise<User | undefined>;
  /** Delete a user (false when unknown). Refused (TENOR_ERR_USER_REFUSED) for the last admin. */
  remove(username: string): Promise<boolean>;
  /** Awaited after a password was changed (web sessions of that user end). Returns an unsubscribe function. */
  onPasswordChanged(listener: (username: string) => Promise<void>): () => void;
  /**
   * Awaited after what a user may do changed: their password, their role, or they were deleted.
   * The sessions service ends their web sessions (and so their live sockets). Returns an unsubscribe function.
   */
  onAccessChanged(listener: (username: string, change: AccessChange) => Promise<void>): () => void;
}

/** What changed about a user's access. */
export type AccessChange = 'password' | 'role' | 'removed';

declare module '../core/service-manager.js' {
  interface ServiceMap {
    users: UsersService;
  }
}

// Verifying against this when the user does not exist keeps the time of a
// failed login the same for known and unknown names.
const decoyHash = hashPassword(generatePassword());

// Users have no SIP credentials: devices register with secrets of their own (sip-credentials/service.ts).
export function usersService(adminPassword: string | undefined) {
  return defineService<UsersService>({
    name: 'users',
    version: '1.0.0',
    description: 'User accounts and password checks (scrypt)',
    dependsOn: ['store'],
    routes: { plugin: userRoutes },
    async start(ctx) {
      const repo = new UsersRepository(ctx.get('store'));
      // Basic clients send the password with every request: see core/verified-passwords.ts.
      const verified = new VerifiedPasswords();
      let generated: string | undefined;
      const passwordListeners = new Set<(username: string) => Promise<void>>();
      const accessListeners = new Set<(username: string, change: AccessChange) => Promise<void>>();
      const accessChanged = async (username: string, change: AccessChange): Promise<void> => {
        await Promise.all([...accessListeners].map((listener) => listener(username, change)));
      };
      // Someone must stay able to administer Tenor: the last admin is neither demoted nor deleted
      // (the repository's statements check it; this names the refusal).
      const lastAdmin = (username: string, what: string) => new TenorError('TENOR_ERR_USER_REFUSED', [username, what, 'it is the last admin']);
      const setPassword = async (username: string, password: string): Promise<boolean> => {
        assertNewPassword(password);
        const changed = await repo.setPassword(username, await hashPassword(password));
        if (changed) {
          await Promise.all([...passwordListeners].map((listener) => listener(username)));
          await accessChanged(username, 'password');
        }
        return changed;
      };
      if (!(await repo.findByUsername('admin'))) {
        const password = adminPassword ?? (generated = generatePassword());
        assertNewPassword(password);
        await repo.create({
          username: 'admin',
          displayName: 'Administrator',
          passwordHash: await hashPassword(password),
          role: 'admin',
        });
        ctx.logger.info({ generated: generated !== undefined }, 'admin user created');
      }
      return {
        generatedAdminPassword: generated,
        async authenticate(username, password) {
          const hash = await repo.passwordHash(username);
          if (hash && verified.matches(username, password, hash)) return repo.findByUsername(username);
          const ok = await verifyPassword(password, hash ?? (await decoyHash));
          if (!ok || !hash) return undefined;
          // A hash made with weaker scrypt parameters is replaced now, while the password is at hand.
          const upgraded = needsRehash(hash) ? await hashPassword(password) : undefined;
          if (upgraded !== undefined && (await repo.upgradePasswordHash(username, hash, upgraded))) {
            ctx.logger.info({ username }, 'password hash upgraded to the current scrypt parameters');
            verified.remember(username, password, upgraded);
          } else verified.remember(username, password, hash);
          return repo.findByUsername(username);
        },
        async create(user) {
          assertNewPassword(user.password);
          return repo.create({
            username: user.username,
            displayName: user.displayName ?? user.username,
            passwordHash: await hashPassword(user.password),
            role: user.role,
          });
        },
        list: () => repo.list(),
        get: (username) => repo.findByUsername(username),
        setPassword,
        async update(username, changes) {
          const user = await repo.findByUsername(username);
          if (!user) return undefined;
          const roleChanged = changes.role !== undefined && changes.role !== user.role;
          const updated = await repo.update(username, {
            ...(changes.displayName !== undefined ? { displayName: changes.displayName } : {}),
            ...(roleChanged ? { role: changes.role } : {}),
          });
          if (!updated) throw lastAdmin(username, `made ${changes.role ?? ''}`);
          if (changes.password !== undefined) await setPassword(username, changes.password);
          // A password change already ended the sessions; otherwise a new role ends them (open sockets saw the old role).
          else if (roleChanged) await accessChanged(username, 'role');
          if (roleChanged) ctx.logger.info({ username, from: user.role, to: changes.role }, 'user role changed');
          return repo.findByUsername(username);
        },
        async remove(username) {
          const user = await repo.findByUsername(username);
          if (!user) return false;
          if (!(await repo.delete(username))) throw lastAdmin(username, 'deleted');
          ctx.logger.info({ username, role: user.role }, 'user deleted');
          await accessChanged(username, 'removed');
          return true;
        },
        onPasswordChanged(listener) {
          passwordListeners.add(listener);
          return () => void passwordListeners.delete(listener);
        },
        onAccessChanged(listener) {
          accessListeners.add(listener);
          return () => void accessListeners.delete(listener);
        },
      };
    },
  });
}
