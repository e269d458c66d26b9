// Keeps Tenor registered to a trunk that asks for it: REGISTER with digest,
// refreshed before it lapses, retried after failures, removed on stop.
import type { Logger } from 'pino';
import { getHeader } from '../sip/headers.js';
import type { SipStack } from '../sip/stack.js';
import { newCallId, newRequest, newTag, withCredentials } from './outbound.js';
import type { TrunkConfig, TrunkRegistrationState } from './trunks.js';

const RETRY_MS = 30_000;

export class TrunkRegistration {
  readonly #stack: SipStack;
  readonly #trunk: TrunkConfig;
  readonly #log: Logger;
  readonly #callId: string;
  readonly #fromTag = newTag();
  #cseq = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #registered = false;
  /** What an administrator sees: the last outcome and why it failed. */
  #state: TrunkRegistrationState = { state: 'registering', detail: null };
  /** The REGISTER in flight, so stop() can wait for it and then remove what it bound. */
  #inflight: Promise<void> | undefined;
  /** Why the last REGISTER did not succeed, for `state`. */
  #failure = '';

  constructor(stack: SipStack, trunk: TrunkConfig, log: Logger) {
    this.#stack = stack;
    this.#trunk = trunk;
    this.#log = log;
    this.#callId = newCallId(trunk.host);
  }

  get registered(): boolean {
    return this.#registered;
  }

  get state(): TrunkRegistrationState {
    return { ...this.#state };
  }

  start(): void {
    this.#inflight = this.#register(this.#trunk.registerExpires ?? 3600);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#inflight;
    if (this.#registered) await this.#send(0).catch((err: unknown) => this.#log.warn({ err }, 'could not unregister from the trunk'));
    this.#registered = false;
    this.#state = { state: 'stopped', detail: null };
  }

  /** Sends REGISTER (answering one challenge); resolves with the granted expiry, or undefined on failure. */
  async #send(expires: number): Promise<number | undefined> {
    const trunk = this.#trunk;
    const user = trunk.username ?? 'tenor';
    const aor = `sip:${user}@${trunk.fromDomain ?? trunk.host}`;
    const destination = { transport: trunk.transport, address: trunk.host, port: trunk.port };
    let request = newRequest({
      method: 'REGISTER', uri: `sip:${trunk.host}:${trunk.port}`,
      from: `<${aor}>;tag=${this.#fromTag}`, to: `<${aor}>`,
      callId: this.#callId, cseq: ++this.#cseq,
      contact: this.#stack.contact(trunk.transport, user),
      headers: [{ name: 'Expires', value: String(expires) }],
    });
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await this.#stack.sendRequest(request, destination).response;
      if (response.status >= 200 && response.status < 300) {
        return Number.parseInt(getHeader(response, 'Expires') ?? String(expires), 10) || expires;
      }
      if ((response.status === 401 || response.status === 407) && attempt === 0 && trunk.username && trunk.password) {
        const retry = withCredentials(request, response, { username: trunk.username, password: trunk.password });
        if (!retry) break;
        this.#cseq++;
        request = retry;
        continue;
      }
      this.#log.warn({ status: response.status }, 'trunk registration refused');
      this.#failure = `refused: ${response.status} ${response.reason}`;
      return undefined;
    }
    return undefined;
  }

  async #register(expires: number): Promise<void> {
    if (this.#stopped) return;
    this.#failure = 'no answer from the trunk';
    const granted = await this.#send(expires).catch((err: unknown) => {
      this.#log.warn({ err }, 'trunk registration failed');
      this.#failure = err instanceof Error ? err.message : String(err);
      return undefined;
    });
    this.#registered = granted !== undefined;
    if (this.#stopped) return;
    this.#state = this.#registered ? { state: 'registered', detail: `expires in ${granted} s` } : { state: 'failed', detail: this.#failure };
    if (this.#registered) this.#log.info({ expires: granted }, 'registered to trunk');
    // Refresh at 80% of the granted time, or retry later after a failure.
    const delay = granted !== undefined ? Math.max(5_000, granted * 800) : RETRY_MS;
    this.#timer = setTimeout(() => {
      this.#inflight = this.#register(expires);
    }, delay);
    this.#timer.unref();
  }
}
