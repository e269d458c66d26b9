// `tenor rotate-sealing-key`: adds a key to the file that seals device
// secrets, trunk passwords and webhook secrets at rest.

import { loadConfig } from '../services/index.js';
import { rotateSealingKey } from '../core/sealed-box.js';
import type { Command } from './command.js';

export const rotateSealingKeyCommand: Command = {
  name: 'rotate-sealing-key',
  usage: 'tenor rotate-sealing-key',
  summary: 'add a new key to <dataDir>/sealing.key; device secrets, trunk passwords and webhook secrets are sealed with it at the next start',
  options: {},
  positionals: false,
  async run() {
    const config = loadConfig();
    const box = rotateSealingKey(config.dataDir);
    console.log(`new sealing key ${box.currentKeyId}: restart Tenor to seal the stored secrets with it (older keys stay in the file to open older values)`);
    return 0;
  },
};
