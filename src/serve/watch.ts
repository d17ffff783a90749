// Files the service re-reads when they change (certificates that cert-manager or
// Gatekeeper rotate, the trust policy). Polling by stat, not inotify: Kubernetes swaps
// Secret and ConfigMap volumes through a symlink, which inotify on the file misses.

import { type Stats, unwatchFile, watchFile } from 'node:fs';

export interface Watch {
  close(): void;
}

/** Calls `changed` whenever any of `files` changes (mtime, size or inode). */
export function watchFiles(files: string[], intervalMs: number, changed: () => void): Watch {
  const listener = (cur: Stats, prev: Stats) => {
    if (cur.mtimeMs !== prev.mtimeMs || cur.size !== prev.size || cur.ino !== prev.ino) changed();
  };
  for (const f of files) watchFile(f, { interval: intervalMs, persistent: false }, listener);
  return { close: () => files.forEach((f) => unwatchFile(f, listener)) };
}
