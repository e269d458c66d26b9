// `tenor check-config [FILE]`: validates the environment and a site file
// without starting anything.

import { loadConfig } from '../services/index.js';
import { validateRecordingEncryption } from '../services/recordings/index.js';
import { CommandLineError } from '../core/command-line.js';
import type { Command } from './command.js';

export const checkConfigCommand: Command = {
  name: 'check-config',
  usage: 'tenor check-config [FILE]',
  summary: 'check the environment and a YAML site file (default: $TENOR_CONFIG) without starting',
  details: 'Exits 0 with a count of what the file defines, or 2 naming each mistake with its variable or file:line:column.',
  options: {},
  positionals: true,
  async run({ positionals }) {
    const [file, extra] = positionals;
    if (extra !== undefined) throw new CommandLineError(`unexpected argument '${extra}' for check-config (one FILE only)`, 'check-config');
    const env = file ? { ...process.env, TENOR_CONFIG: file } : process.env;
    const config = loadConfig(env);
    // The recordings' key file is read only here and at start: a wrong one would otherwise stop the next start.
    const keyProblems = validateRecordingEncryption(config.recording.encryption, config.baseDir);
    for (const p of keyProblems) console.error(`${config.file ?? 'site file'}: ${p.path}: ${p.message}`);
    if (keyProblems.length > 0) return 2;
    const s = config.site;
    console.log(
      `configuration OK${config.file ? ` (${config.file})` : ''}: ${s.trunks.length} trunks, ${s.agents.length} agents, ` +
        `${s.queues.length} queues, ${s.entryNumbers.length} entry numbers, ${s.flows.length} flows, ${config.services.length} extra services`,
    );
    return 0;
  },
};
