// A typed, promise-based wrapper around modesl's inbound event-socket
// connection: connect and authenticate, run API commands (foreground and
// background), run a dialplan application on a channel and wait for it to
// finish, and receive channel events as plain header maps. modesl has no types,
// so everything it hands back is read here and nothing untyped leaves this file.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import modesl, { type EslEvent, type EslSocket } from 'modesl';

/** One event from FreeSWITCH: its headers (channel variables are `variable_<name>`) and body. */
export interface FsEvent {
  readonly name: string;
  /** The channel the event is about, when it is about one. */
  readonly uuid: string | undefined;
  header(name: string): string | undefined;
  /** Every header with a text value, by name. */
  raw(): Record<string, string>;
  readonly body: string;
}

export interface EslConnectionEvents {
  event: [event: FsEvent];
  /** The socket closed (FreeSWITCH stopped or the link broke), with what was seen. */
  closed: [reason: string];
}

export interface EslEndpoint {
  host: string;
  port: number;
  password: string;
}

function wrap(event: EslEvent): FsEvent {
  const header = (name: string): string | undefined => event.getHeader(name) ?? undefined;
  return {
    name: header('Event-Name') ?? '',
    uuid: header('Unique-ID'),
    header,
    raw: () => Object.fromEntries(event.headers.flatMap((h) => (typeof h.value === 'string' ? [[h.name, h.value]] : []))),
    body: event.getBody() ?? '',
  };
}

/** The result line of an API command: '+OK …' is ok, '-ERR …' or '-USAGE' is not. */
export interface ApiReply {
  ok: boolean;
  text: string;
}

const CLOSED: ApiReply = { ok: false, text: '-ERR event socket closed' };

function reply(text: string): ApiReply {
  const trimmed = text.trim();
  return { ok: !trimmed.startsWith('-'), text: trimmed };
}

export class EslConnection extends EventEmitter<EslConnectionEvents> {
  readonly #conn: EslSocket;
  #closed = false;
  /** Replies still awaited: answered with an error when the socket closes, so no caller waits forever. */
  readonly #awaiting = new Set<(reply: ApiReply) => void>();

  private constructor(conn: EslSocket) {
    super();
    this.#conn = conn;
  }

  /** Connects, authenticates and subscribes to `events` (JSON). Rejects on a refused password or a closed port. */
  static connect(endpoint: EslEndpoint, events: string[], timeoutMs = 5000): Promise<EslConnection> {
    return new Promise((resolve, reject) => {
      let settled = false;
      let esl: EslConnection | undefined;
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(err);
      };
      const timer = setTimeout(() => fail(new Error(`event socket ${endpoint.host}:${endpoint.port} did not answer in ${timeoutMs} ms`)), timeoutMs);
      const conn = new modesl.Connection(endpoint.host, endpoint.port, endpoint.password, () => {
        conn.events('json', events, () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          esl = new EslConnection(conn);
          esl.#listen();
          resolve(esl);
        });
      });
      conn.on('error', (err: Error) => {
        if (settled) { if (esl) esl.#markClosed(`socket error: ${err.message}`); }
        else fail(err);
      });
      conn.on('esl::event::auth::fail', () => fail(new Error('event socket refused the password')));
    });
  }

  #listen(): void {
    this.#conn.on('esl::event::**', (event: EslEvent) => {
      const wrapped = wrap(event);
      if (wrapped.name !== '') this.emit('event', wrapped);
    });
    this.#conn.on('esl::end', () => this.#markClosed('FreeSWITCH closed the socket'));
  }

  #markClosed(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const answer of this.#awaiting) answer(CLOSED);
    this.#awaiting.clear();
    this.emit('closed', reason);
  }

  /** Sends a command through modesl and waits for its reply, or for the socket to close. */
  #ask(send: (answer: (reply: ApiReply) => void) => void): Promise<ApiReply> {
    if (this.#closed) return Promise.resolve(CLOSED);
    return new Promise((resolve) => {
      const answer = (r: ApiReply): void => {
        this.#awaiting.delete(answer);
        resolve(r);
      };
      this.#awaiting.add(answer);
      send(answer);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Runs an API command and waits for its reply. */
  api(command: string): Promise<ApiReply> {
    const [name = '', ...rest] = command.split(' ');
    return this.#ask((answer) => this.#conn.api(name, rest.join(' '), (event) => answer(reply(event.getBody() ?? ''))));
  }

  /** Runs an API command in FreeSWITCH's background and waits for the job's result (e.g. originate). */
  bgapi(command: string): Promise<ApiReply> {
    const [name = '', ...rest] = command.split(' ');
    return this.#ask((answer) => this.#conn.bgapi(name, rest.join(' '), (event) => answer(reply(event.getBody() ?? ''))));
  }

  /**
   * Runs a dialplan application on a channel (sendmsg execute) and resolves with
   * its CHANNEL_EXECUTE_COMPLETE event, or undefined when the channel hung up first.
   */
  execute(uuid: string, app: string, arg = ''): Promise<FsEvent | undefined> {
    if (this.#closed) return Promise.resolve(undefined);
    const eventUuid = randomUUID();
    return new Promise((resolve) => {
      const onEvent = (event: FsEvent): void => {
        if (event.uuid !== uuid) return;
        if (event.name === 'CHANNEL_EXECUTE_COMPLETE' && event.header('Application-UUID') === eventUuid) done(event);
        else if (event.name === 'CHANNEL_HANGUP_COMPLETE') done(undefined);
      };
      const onClosed = (): void => done(undefined);
      const done = (event: FsEvent | undefined): void => {
        this.off('event', onEvent);
        this.off('closed', onClosed);
        resolve(event);
      };
      this.on('event', onEvent);
      this.on('closed', onClosed);
      this.#conn.sendRecv(`sendmsg ${uuid}`, {
        'call-command': 'execute',
        'execute-app-name': app,
        'execute-app-arg': arg,
        'Event-UUID': eventUuid,
      }, (r) => {
        const text = r.getHeader('Reply-Text') ?? '';
        if (text.startsWith('-')) done(undefined);
      });
    });
  }

  /** Closes the socket; FreeSWITCH keeps running. */
  close(): void {
    if (this.#closed) return;
    this.#conn.disconnect();
    this.#markClosed('closed by Tenor');
  }
}
