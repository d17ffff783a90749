// The service's trust policy: compiled at start, re-compiled when its file changes. A
// version that does not compile never replaces a working one: the previous policy stays
// in force, the findings are logged, and the failure shows in metrics.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IRDocument } from '../ir/types.js';
import { compileFile } from '../lower/pipeline.js';

export interface LoadedPolicy {
  ir: IRDocument;
  /** SHA-256 (hex) of the file's bytes, sent with every response. */
  sha256: string;
  loadedAt: Date;
}

export type LoadResult = { ok: true; policy: LoadedPolicy } | { ok: false; findings: string[] };

export async function loadPolicy(file: string): Promise<LoadResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    return { ok: false, findings: [`${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`] };
  }
  // The file's own loader: a policy that `extends` others reads them as the CLI does.
  const c = await compileFile(file);
  if (c.unreadable) return { ok: false, findings: [`the policy file ${c.unreadable}`] };
  const errors = c.diagnostics.filter((d) => d.severity === 'error');
  if (!c.ir || errors.length > 0) {
    return { ok: false, findings: errors.map((d) => `${d.file}:${d.line}:${d.column} ${d.rule}: ${d.message}`) };
  }
  return { ok: true, policy: { ir: c.ir, sha256: createHash('sha256').update(bytes).digest('hex'), loadedAt: new Date() } };
}
