// Proof that a self-service visitor owns the record behind the phone number
// they type: a one-time code sent to the contact on record (the e-mail
// addresses of the customer, and a text to the number through the site's SMS
// hook). The code is 6 digits, good for a few minutes, kept only as an HMAC,
// used once, and burned after a few wrong tries.
//
// Asking for a code answers the same whether or not the number is a
// customer's: a challenge is made either way, and sending happens after the
// answer, so neither the answer nor its timing tells. A customer gets at most
// codesPerCustomerPerHour codes; beyond that the challenge is made but binds
// to no one (the visitor sees nothing different; the log says why).

import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { ServiceContext } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import type { Database } from '../../store/database.js';
import { normalizePhone } from '../crm/index.js';
import type { SelfServiceLimits } from './settings.js';
import { smsRequest } from './sms.js';

const HOUR_MS = 3_600_000;

interface CodeRow {
  id: string;
  script_id: string;
  customer_id: number | null;
  code_mac: string;
}

export class OwnershipCodes {
  readonly #ctx: ServiceContext;
  readonly #db: Database;
  readonly #secret: Buffer;
  readonly #limits: SelfServiceLimits;
  readonly #defaultCountry: string;
  readonly #now: () => number;

  constructor(opts: { ctx: ServiceContext; db: Database; secret: Buffer; limits: SelfServiceLimits; defaultCountry: string; now?: () => number }) {
    this.#ctx = opts.ctx;
    this.#db = opts.db;
    this.#secret = opts.secret;
    this.#limits = opts.limits;
    this.#defaultCountry = opts.defaultCountry;
    this.#now = opts.now ?? Date.now;
  }

  /** Makes a challenge for the number and sends its code to the owner on record, if there is one. */
  async request(opts: { scriptId: string; scriptTitle: string; phone: string }): Promise<{ challenge: string; expiresAt: number }> {
    const phone = normalizePhone(opts.phone, this.#defaultCountry);
    if (!phone) throw new TenorError('TENOR_ERR_VALIDATION', [`'${opts.phone}' is not a phone number`]);
    const now = this.#now();
    const id = randomBytes(16).toString('base64url');
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const expiresAt = now + this.#limits.codeMinutes * 60_000;
    const [owner] = await this.#ctx.get('crm').findCustomersByPhone(phone);
    let bindTo: number | null = owner ? owner.id : null;
    // Counted for unknown numbers too, so known and unknown numbers take the same path.
    const sent = await this.#sentLastHour(owner?.id ?? -1, now);
    if (owner && sent >= this.#limits.codesPerCustomerPerHour) {
      this.#ctx.logger.warn({ customer: owner.id, script: opts.scriptId }, 'self-service code not sent: too many codes for this customer within an hour');
      bindTo = null;
    }
    await this.#db.run(
      'INSERT INTO self_service_codes (id, script_id, customer_id, code_mac, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      [id, opts.scriptId, bindTo, this.#mac(id, code), now, expiresAt],
    );
    if (owner && bindTo !== null) {
      const emails = Array.isArray(owner['emails']) ? owner['emails'].filter((e): e is string => typeof e === 'string' && e.includes('@')) : [];
      // After the answer, so a slow SMTP server does not tell that the number is a customer's.
      setImmediate(() => void this.#deliver({ customerId: owner.id, phone, emails, code, title: opts.scriptTitle }));
    }
    this.#ctx.logger.info({ challenge: id, script: opts.scriptId }, 'self-service code asked for');
    return { challenge: id, expiresAt };
  }

  /**
   * The customer a correct code proves; TENOR_ERR_CODE_INVALID for a wrong,
   * used, expired or burned code, or one asked for through another script.
   */
  async verify(opts: { challenge: string; code: string; scriptId: string }): Promise<number> {
    const now = this.#now();
    // Count the try before comparing, atomically, so parallel guesses cannot exceed the limit.
    const counted = await this.#db.run(
      'UPDATE self_service_codes SET attempts = attempts + 1 WHERE id = ? AND script_id = ? AND used_at IS NULL AND expires_at > ? AND attempts < ?',
      [opts.challenge, opts.scriptId, now, this.#limits.codeAttempts],
    );
    const row = counted.changes === 1 ? await this.#db.get<CodeRow>('SELECT id, script_id, customer_id, code_mac FROM self_service_codes WHERE id = ?', [opts.challenge]) : undefined;
    const expected = Buffer.from(row?.code_mac ?? '');
    const given = Buffer.from(this.#mac(opts.challenge, opts.code.trim()));
    if (!row || expected.length !== given.length || !timingSafeEqual(expected, given) || row.customer_id === null) {
      this.#ctx.logger.warn({ challenge: opts.challenge, script: opts.scriptId }, 'self-service code refused');
      throw new TenorError('TENOR_ERR_CODE_INVALID');
    }
    const used = await this.#db.run('UPDATE self_service_codes SET used_at = ? WHERE id = ? AND used_at IS NULL', [now, row.id]);
    if (used.changes !== 1) throw new TenorError('TENOR_ERR_CODE_INVALID');
    this.#ctx.logger.info({ challenge: row.id, customer: row.customer_id, script: opts.scriptId }, 'self-service visitor proved ownership');
    return row.customer_id;
  }

  async #sentLastHour(customerId: number, now: number): Promise<number> {
    const row = await this.#db.get<{ n: number }>('SELECT COUNT(*) AS n FROM self_service_codes WHERE customer_id = ? AND created_at > ?', [customerId, now - HOUR_MS]);
    return row?.n ?? 0;
  }

  async #deliver(to: { customerId: number; phone: string; emails: string[]; code: string; title: string }): Promise<void> {
    const message = `Your code for "${to.title}" is ${to.code}. It is good for ${this.#limits.codeMinutes} minutes. If you did not ask for it, ignore this message.`;
    const mail = this.#ctx.get('mail');
    if (to.emails.length > 0 && mail.configured) {
      await mail.send({ to: to.emails, subject: `Your code: ${to.code}`, text: message }).catch((err: unknown) => {
        this.#ctx.logger.warn({ err, customer: to.customerId }, 'self-service code e-mail failed');
      });
    }
    if (this.#limits.sms) {
      await this.#ctx.get('webhooks').call(smsRequest(this.#limits.sms, to.phone, message)).catch((err: unknown) => {
        this.#ctx.logger.warn({ err, customer: to.customerId }, 'self-service code text (SMS hook) failed');
      });
    }
    if ((to.emails.length === 0 || !mail.configured) && !this.#limits.sms) {
      this.#ctx.logger.warn({ customer: to.customerId }, 'self-service code not delivered: the customer has no e-mail on record (or no SMTP server) and the site has no SMS hook');
    }
  }

  #mac(challenge: string, code: string): string {
    return createHmac('sha256', this.#secret).update(`self-service-code:${challenge}:${code}`).digest('base64url');
  }
}
