// The RFC 4475 torture messages live in the shared folder beside the
// repository (../shared/corpora/rfc4475), on a developer's machine and in CI;
// TENOR_RFC4475_DIR points elsewhere.
import { fileURLToPath } from 'node:url';

export const RFC4475_DIR: string = process.env['TENOR_RFC4475_DIR'] ?? fileURLToPath(new URL('../../../shared/corpora/rfc4475', import.meta.url));
