// What the recording service needs of the files at rest: the vault
// (vault.ts, docs/recording-at-rest.md) seen structurally.

export interface StoredFile {
  /** Relative to `<dataDir>/recordings`. */
  path: string;
  /** The encryption key's id; null: a plain WAV. */
  keyId: string | null;
  bytes: number;
}

export interface RecordingFiles {
  /** Where the engine writes a recording in progress (its folder exists). */
  incomingPath(id: string): string;
  /** Moves a finished recording to its place by date (encrypted when a key is set). */
  store(id: string, startedAt: Date): Promise<StoredFile>;
  /** The WAV bytes of a stored recording (decrypted). */
  read(path: string): Promise<NodeJS.ReadableStream & { size: number }>;
  remove(path: string): Promise<void>;
}
