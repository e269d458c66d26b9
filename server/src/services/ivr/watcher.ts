// Watches the site's flow files and reloads one when it changes. Editors save
// in different ways (write in place, or write a temp file and rename it over
// the old one), so we watch the folder, match the file name, and wait for a
// short quiet period before reading: one save makes one reload.

import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';

export interface FlowFileWatcher {
  close(): void;
}

export function watchFlowFiles(files: ReadonlyMap<string, string>, onChange: (name: string) => void, log: Logger, debounceMs = 250): FlowFileWatcher {
  const byDir = new Map<string, Map<string, string>>();
  for (const [name, file] of files) {
    const dir = path.dirname(file);
    let names = byDir.get(dir);
    if (!names) byDir.set(dir, (names = new Map()));
    names.set(path.basename(file), name);
  }
  const timers = new Map<string, NodeJS.Timeout>();
  const watchers: FSWatcher[] = [];
  for (const [dir, names] of byDir) {
    try {
      const w = watch(dir, { persistent: false }, (_event, filename) => {
        const base = filename === null ? undefined : path.basename(filename.toString());
        const flow = base === undefined ? undefined : names.get(base);
        if (flow === undefined) return;
        clearTimeout(timers.get(flow));
        timers.set(flow, setTimeout(() => {
          timers.delete(flow);
          onChange(flow);
        }, debounceMs));
      });
      w.on('error', (err) => log.error({ err, dir }, 'flow folder watch failed; changes there need a restart'));
      watchers.push(w);
    } catch (err) {
      log.error({ err, dir }, 'cannot watch the flow folder; changes there need a restart');
    }
  }
  return {
    close() {
      for (const w of watchers) w.close();
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}
