import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/** The root logger. Components take children: `logger.child({ service: 'acd' })`, `{ callId }` per call. */
export function createLogger(level: LevelWithSilent, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, base: { app: 'tenor' }, timestamp: pino.stdTimeFunctions.isoTime }, destination ?? process.stdout);
}
