// Which boxes exist and what each is like. A box is not stored as such: it
// follows from the site (a `general` box always, one per ACD queue, one per
// ACD agent, plus the boxes the site file names) and takes its settings from
// the site file's `voicemail` key, with an uploaded greeting on top.

import { TenorError } from '../../core/errors.js';
import { BOX_NAME, VOICEMAIL_DEFAULTS, type VoicemailBoxConfig, type VoicemailSettings } from './config-schema.js';
import type { VoicemailBox } from './types.js';

/** What the directory needs to know of the ACD: its queues and agents, as they are now. */
export interface AcdDirectory {
  queues(): readonly { name: string }[];
  agents(): readonly { login: string; profile: { queues: readonly { queue: string }[] } }[];
}

export const GENERAL_BOX = 'general';
export const queueBox = (queue: string): string => `queue:${queue}`;
export const agentBox = (login: string): string => `agent:${login}`;

export class BoxDirectory {
  readonly #settings: VoicemailSettings;
  readonly #acd: AcdDirectory;
  readonly #configured: Map<string, VoicemailBoxConfig>;
  /** Uploaded greetings by box (kept in memory: boxes() is synchronous and asked on every call). */
  readonly #greetings: Map<string, string>;

  constructor(settings: VoicemailSettings, acd: AcdDirectory, greetings: Map<string, string>) {
    this.#settings = settings;
    this.#acd = acd;
    this.#configured = new Map((settings.boxes ?? []).map((b) => [b.name, b]));
    this.#greetings = greetings;
  }

  names(): string[] {
    return [
      ...new Set([
        GENERAL_BOX,
        ...this.#configured.keys(),
        ...this.#acd.queues().map((q) => queueBox(q.name)),
        ...this.#acd.agents().map((a) => agentBox(a.login)),
      ]),
    ];
  }

  all(): VoicemailBox[] {
    return this.names().map((n) => this.#build(n));
  }

  get(name: string): VoicemailBox | undefined {
    return this.names().includes(name) ? this.#build(name) : undefined;
  }

  require(name: string): VoicemailBox {
    const box = this.get(name);
    if (!box) throw new TenorError('TENOR_ERR_NOT_FOUND', [`voicemail box '${name}'`]);
    return box;
  }

  /** The boxes an agent may read: their own, and those of the queues they serve. */
  visibleTo(login: string): string[] {
    const agent = this.#acd.agents().find((a) => a.login === login);
    const queues = agent ? agent.profile.queues.map((q) => queueBox(q.queue)) : [];
    return [agentBox(login), ...queues].filter((n) => this.names().includes(n));
  }

  setGreeting(box: string, file: string | undefined): void {
    if (file === undefined) this.#greetings.delete(box);
    else this.#greetings.set(box, file);
  }

  #build(name: string): VoicemailBox {
    if (!BOX_NAME.test(name)) throw new TenorError('TENOR_ERR_VALIDATION', [`'${name}' is not a voicemail box name`]);
    const conf = this.#configured.get(name);
    const kind: VoicemailBox['kind'] = name.startsWith('queue:') ? 'queue' : name.startsWith('agent:') ? 'agent' : 'general';
    const ownQueue = kind === 'queue' ? name.slice('queue:'.length) : undefined;
    return {
      name,
      kind,
      notify: conf?.notify ?? this.#settings.notify ?? [],
      greeting: this.#greetings.get(name),
      maxSeconds: conf?.maxSeconds ?? this.#settings.maxSeconds ?? VOICEMAIL_DEFAULTS.maxSeconds,
      silenceSeconds: conf?.silenceSeconds ?? this.#settings.silenceSeconds ?? VOICEMAIL_DEFAULTS.silenceSeconds,
      queue: ownQueue ?? conf?.queue,
      language: conf?.language ?? this.#settings.language ?? VOICEMAIL_DEFAULTS.language,
    };
  }
}
