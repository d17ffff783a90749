// Finding files under PATH arguments (`policy test DIR`, `policy lint DIR`). A directory
// reached twice (a symbolic link back up the tree, two links to one place) is walked once,
// so link loops end; an entry whose name does not match is never opened, so a dangling link
// or an unreadable file that is not what we look for is ignored; one whose name matches is
// listed whatever it is, for its reader to say why it cannot be read.

import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export interface Walk {
  /** Matching files, in a stable order: arguments as given, each directory sorted by name. */
  files: string[];
  /** Directories that could not be listed, each as a sentence; they may hold matching files. */
  unreadable: string[];
}

/** Skipped by name: dependencies and hidden directories (.git, editors' folders). */
function skipped(name: string): boolean {
  return name === 'node_modules' || name.startsWith('.');
}

function why(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ELOOP' ? 'a symbolic link loop' : (code ?? 'error');
}

/**
 * Files under `paths` whose name `matches`. A path argument that is not a directory is
 * listed as it is (even if it does not exist: the caller reads it and says so).
 */
export async function findFiles(paths: readonly string[], matches: (name: string) => boolean): Promise<Walk> {
  const files: string[] = [];
  const unreadable: string[] = [];
  const seen = new Set<string>();

  const walkDir = async (dir: string, id: string): Promise<void> => {
    if (seen.has(id)) return;
    seen.add(id);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      unreadable.push(`the directory ${dir} cannot be listed (${why(err)})`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (skipped(e.name)) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory() || e.isSymbolicLink()) {
        // A link is followed only to learn whether it is a directory; a dangling one is not.
        const st = await stat(full).catch(() => null);
        if (st?.isDirectory()) {
          await walkDir(full, `${st.dev}:${st.ino}`);
          continue;
        }
      }
      if (matches(e.name)) files.push(full);
    }
  };

  for (const p of paths) {
    const st = await stat(p).catch(() => null);
    if (st?.isDirectory()) await walkDir(p, `${st.dev}:${st.ino}`);
    else files.push(p);
  }
  return { files, unreadable };
}
