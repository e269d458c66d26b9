// One catalogue of every error Tenor reports, each with a stable code, the HTTP
// status it maps to, and a message template. docs/reference/errors.md lists the
// same codes; test/errors-catalogue.test.ts checks the two agree both ways.

export const errorCatalogue = {
  TENOR_ERR_CONFIG_INVALID: { status: 500, message: 'Invalid configuration: %s' },
  TENOR_ERR_SERVICE_DUPLICATE: { status: 500, message: "A service named '%s' is already registered" },
  TENOR_ERR_SERVICE_MISSING_DEPENDENCY: { status: 500, message: "Service '%s' depends on '%s', which is not registered" },
  TENOR_ERR_SERVICE_CYCLE: { status: 500, message: 'Services depend on each other in a cycle: %s' },
  TENOR_ERR_SERVICE_START_TIMEOUT: { status: 500, message: "Service '%s' did not finish starting within %s ms" },
  TENOR_ERR_SERVICE_START_FAILED: { status: 500, message: "Service '%s' failed to start: %s" },
  TENOR_ERR_SERVICE_NOT_FOUND: { status: 404, message: "No service named '%s'" },
  TENOR_ERR_SERVICE_NOT_RUNNING: { status: 503, message: "Service '%s' is not running" },
  TENOR_ERR_SERVICE_MODULE_INVALID: { status: 400, message: "Module '%s' does not provide a service definition: %s" },
  TENOR_ERR_SERVICE_REPLACE_FAILED: { status: 500, message: "Service '%s' could not be replaced; the running version stays: %s" },
  TENOR_ERR_STORE_MIGRATION_FAILED: { status: 500, message: "Database migration '%s' failed: %s" },
  TENOR_ERR_BACKUP_FAILED: { status: 500, message: 'No backup was written to %s: %s' },
  TENOR_ERR_RESTORE_REFUSED: { status: 409, message: 'Nothing was restored from %s: %s' },
  TENOR_ERR_MODEL_INVALID: { status: 400, message: 'Invalid business-object model: %s' },
  TENOR_ERR_MODEL_MIGRATION: { status: 500, message: 'The database does not fit the business-object model: %s' },
  TENOR_ERR_MAIL_NOT_CONFIGURED: { status: 503, message: 'E-mail cannot be sent: no SMTP server is configured (smtp in the site file)' },
  TENOR_ERR_MAIL_FAILED: { status: 502, message: 'E-mail to %s failed: %s' },
  TENOR_ERR_WEBHOOK_FAILED: { status: 502, message: 'Webhook %s failed: %s' },
  TENOR_ERR_SCRIPT_INVALID: { status: 400, message: 'The dialogue script has problems: %s' },
  TENOR_ERR_LINK_INVALID: { status: 403, message: 'This link is not valid (it was changed or it expired)' },
  TENOR_ERR_LINK_REVOKED: { status: 403, message: 'This link was withdrawn; ask for a new one' },
  TENOR_ERR_LINK_LIFETIME: { status: 400, message: 'A self-service link may be valid for at most %s days (selfService.linkMaxDays); asked for %s hours' },
  TENOR_ERR_CODE_INVALID: { status: 403, message: 'The code is wrong, used or expired; ask for a new code' },
  TENOR_ERR_SELF_SERVICE_LIMIT: { status: 429, message: 'Too many self-service requests from this address; try again in %s seconds' },
  TENOR_ERR_VALIDATION: { status: 400, message: 'Invalid request: %s' },
  TENOR_ERR_UNAUTHORIZED: { status: 401, message: 'Authentication required' },
  TENOR_ERR_FORBIDDEN: { status: 403, message: 'Not allowed for this user' },
  TENOR_ERR_LOGIN_FAILED: { status: 401, message: 'Wrong username or password' },
  TENOR_ERR_RATE_LIMITED: { status: 429, message: 'Too many failed logins; try again in %s seconds' },
  TENOR_ERR_CSRF: { status: 403, message: 'Refused: %s' },
  TENOR_ERR_NOT_FOUND: { status: 404, message: 'Not found: %s' },
  TENOR_ERR_CAMPAIGN_RING_TIME: { status: 400, message: 'ringTimeSeconds %s is too short: a campaign call must ring at least %s s' },
  TENOR_ERR_CAMPAIGN_STATE: { status: 409, message: "Campaign '%s' cannot %s while it is %s" },
  TENOR_ERR_LIST_IMPORT: { status: 400, message: 'The list cannot be imported: %s' },
  TENOR_ERR_USER_EXISTS: { status: 409, message: "A user named '%s' already exists" },
  TENOR_ERR_PASSWORD_WEAK: { status: 400, message: 'The password cannot be used: %s' },
  TENOR_ERR_SHUTTING_DOWN: { status: 503, message: 'The server is shutting down' },
  TENOR_ERR_PROMPT_INVALID: { status: 400, message: 'Cannot use %s: %s' },
  TENOR_ERR_VOICEMAIL_STATUS: { status: 409, message: "Voicemail message '%s' is %s; it cannot become %s" },
  TENOR_ERR_RECORDING_KEY: { status: 500, message: 'Recording encryption key problem: %s' },
  TENOR_ERR_RECORDING_DAMAGED: { status: 500, message: "The recording file '%s' cannot be read: %s" },
  TENOR_ERR_FLOW_INVALID: { status: 400, message: "The flow '%s' has problems: %s" },
  TENOR_ERR_FLOW_IN_USE: { status: 409, message: "The flow '%s' cannot be removed: %s" },
  TENOR_ERR_FLOW_FAILED: { status: 500, message: "Flow '%s' stopped at node '%s': %s" },
  TENOR_ERR_FLOW_ABORTED: { status: 410, message: "Flow '%s' was stopped at node '%s': the call ended" },
  TENOR_ERR_NO_CALL: { status: 404, message: "Agent '%s' has no connected call" },
  TENOR_ERR_CALL_STATE: { status: 409, message: 'Cannot %s: %s' },
  TENOR_ERR_RECORDING_NOT_FOUND: { status: 404, message: 'No %s' },
  TENOR_ERR_RECORDING_STATE: { status: 409, message: 'Cannot %s the recording: %s' },
  TENOR_ERR_AGENT_NOT_AVAILABLE: { status: 409, message: "Agent '%s' is not available (%s)" },
  TENOR_ERR_AGENT_BUSY: { status: 409, message: "Agent '%s' is %s: %s" },
  TENOR_ERR_MONITOR_UNREACHABLE: { status: 409, message: 'Cannot monitor the call: %s did not answer (%s)' },
  TENOR_ERR_USER_REFUSED: { status: 409, message: "User '%s' cannot be %s: %s" },
  TENOR_ERR_SIP_USER_TAKEN: { status: 409, message: "SIP user '%s' is already the device of %s" },
  TENOR_ERR_NOT_SUPPORTED: { status: 501, message: "The telephony engine '%s' cannot %s while it runs; change the site file and restart" },
  TENOR_ERR_CUSTOMER_NOT_REACHED: { status: 409, message: 'The call to %s was not answered (%s)' },
  TENOR_ERR_DIALING_REFUSED: { status: 403, message: 'Dialing %s refused: %s' },
  TENOR_ERR_INTERNAL: { status: 500, message: 'Internal error: %s' },
} as const satisfies Record<string, { status: number; message: string }>;

export type TenorErrorCode = keyof typeof errorCatalogue;

export class TenorError extends Error {
  readonly code: TenorErrorCode;
  readonly status: number;
  readonly details: unknown;

  constructor(code: TenorErrorCode, args: ReadonlyArray<string | number> = [], options?: { cause?: unknown; details?: unknown }) {
    const entry = errorCatalogue[code];
    let i = 0;
    super(entry.message.replace(/%s/g, () => String(args[i++] ?? '')), options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TenorError';
    this.code = code;
    this.status = entry.status;
    this.details = options?.details;
  }
}

export function isTenorError(err: unknown, code?: TenorErrorCode): err is TenorError {
  return err instanceof TenorError && (code === undefined || err.code === code);
}
