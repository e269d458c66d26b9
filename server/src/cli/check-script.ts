// `tenor check-script FILE...`: checks dialogue scripts against the DTD rules
// and this site's business-object model.

import { checkScriptFile } from '@tenor/scripts-dsl/node';
import { loadConfig } from '../services/index.js';
import { CommandLineError } from '../core/command-line.js';
import { loadModel } from '../services/crm/model.js';
import { defaultModelFile } from '../services/crm/index.js';
import { catalogueFromModel } from '../services/scripts/catalogue.js';
import type { Command } from './command.js';

export const checkScriptCommand: Command = {
  name: 'check-script',
  usage: 'tenor check-script FILE...',
  summary: 'check dialogue scripts (XML); prints file:line:column: problem, exits 1 on any',
  details: "Field references are checked against the site's business-object model (crm.model in the site file).",
  options: {},
  positionals: true,
  async run({ positionals: files }) {
    if (files.length === 0) throw new CommandLineError('check-script needs at least one FILE', 'check-script');
    // Field references are checked against this site's business-object model.
    const config = loadConfig();
    const catalogue = catalogueFromModel(loadModel(config.crm.model ?? defaultModelFile));
    let failed = false;
    for (const file of files) {
      const problems = await checkScriptFile(file, catalogue);
      for (const p of problems) console.error(`${file}:${p.line}:${p.column}: ${p.message}`);
      if (problems.length === 0) console.log(`${file}: ok`);
      failed ||= problems.length > 0;
    }
    return failed ? 1 : 0;
  },
};
