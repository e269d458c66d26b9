// What the media verbs (play, collect, record, AMD) need of a FreeSWITCH call:
// its channel, the event socket, its digits and its end as they arrive, and the
// prompt files. A small interface so media.ts does not depend on the call class.
import type { Logger } from 'pino';
import type { Prompt } from '../driver.js';
import type { EslConnection } from './esl-connection.js';

export interface FsChannel {
  readonly uuid: string;
  readonly esl: EslConnection;
  readonly logger: Logger;
  readonly ended: boolean;
  /** Whether the channel is in a bridge now (an application would wait for the bridge to end). */
  readonly bridged: boolean;
  /** Calls `listener` for each digit until the returned function is called. */
  onDigit(listener: (digit: string) => void): () => void;
  /** Calls `listener` once when the call ends, unless the returned function was called first. */
  onEnded(listener: () => void): () => void;
  promptFile(prompt: Prompt): string;
}

/** Runs an API command whose failure is worth a log line but changes nothing for the caller. */
export async function apiLogged(ch: FsChannel, command: string): Promise<boolean> {
  const r = await ch.esl.api(command);
  if (!r.ok) ch.logger.debug({ callId: ch.uuid, command, reply: r.text }, 'FreeSWITCH command refused');
  return r.ok;
}
