// A self-service visitor who typed a phone number but has not proven it is
// theirs: the run gets a new unverified contact, never the record behind the
// number. What the script sees of it is only what the visitor typed, and is
// the same whether the number is a customer's or not, so the page cannot tell.
// The new contact carries the number in its phone list only when no customer
// has it (a later call from the number then finds it); otherwise the number is
// kept in custom.webPhone, so calls from it still reach the real customer.

import type { JsonValue } from '@tenor/scripts-dsl';
import { TenorError } from '../../core/errors.js';
import { normalizePhone, type CrmService } from '../crm/index.js';

export async function unverifiedVisitor(crm: CrmService, typed: string, defaultCountry: string): Promise<{ customerId: number; context: Record<string, JsonValue> }> {
  const phone = normalizePhone(typed, defaultCountry);
  if (!phone) throw new TenorError('TENOR_ERR_VALIDATION', [`'${typed}' is not a phone number`]);
  const known = (await crm.findCustomersByPhone(phone)).length > 0;
  const contact = await crm.entity('Customer').create({
    name: phone,
    phones: known ? [] : [phone],
    prospect: true,
    custom: { unverified: true, webPhone: phone },
  });
  const context: Record<string, JsonValue> = { id: contact.id, name: phone, phones: [phone], emails: [], prospect: true, custom: {} };
  for (const key of ['segment', 'language'] as const) {
    const value = contact[key];
    if (typeof value === 'string') context[key] = value;
  }
  return { customerId: contact.id, context };
}
