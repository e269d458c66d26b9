// The RFC 4475 torture messages live in the shared folder beside the
// repository (../shared/corpora/rfc4475), on a developer's machine and in CI;
// TENOR_RFC4475_DIR points elsewhere. Absent, the tests that read them skip
// (and fail under CI=true): see shared-folder.ts.
import { fileURLToPath } from 'node:url';
import { sharedFolder, type SharedFolder } from './shared-folder.js';

export const RFC4475: SharedFolder = sharedFolder(
  'the RFC 4475 torture messages',
  process.env['TENOR_RFC4475_DIR'] ?? fileURLToPath(new URL('../../../shared/corpora/rfc4475', import.meta.url)),
  'TENOR_RFC4475_DIR',
);

export const RFC4475_DIR: string = RFC4475.dir;
