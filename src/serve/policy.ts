// The service's trust policy: compiled at start, re-compiled when its file changes. A
// version that does not compile never replaces a working one: the previous policy stays
// in force, the findings are logged, and the failure shows in metrics.

import { DEFAULT_PIPE_WAIT_MS } from '../fs/limits.js';
import { FileReadError, readBounded } from '../fs/read-bounded.js';
import type { IRDocument } from '../ir/types.js';
import { compileFile } from '../lower/pipeline.js';
import { MAX_POLICY_BYTES } from '../policy/source.js';

export interface LoadedPolicy {
  ir: IRDocument;
  /**
   * The IR's source hash (over every file compiled, `extends` included), sent with every
   * response: the hash the compiled artifacts carry (the Rego bundle's revision, their
   * header comment), so the service's policy can be matched to what was deployed.
   */
  sha256: string;
  loadedAt: Date;
}

/** `unreadable`: the file could not be read at all (the findings say why), as opposed to not compiling. */
export type LoadResult = { ok: true; policy: LoadedPolicy } | { ok: false; unreadable: boolean; findings: string[] };

export async function loadPolicy(file: string): Promise<LoadResult> {
  // Bounded in size and time (a link to /dev/zero, a FIFO): a failed read is a failed
  // load, and on reload the previous policy stays in force.
  const signal = AbortSignal.timeout(DEFAULT_PIPE_WAIT_MS);
  let bytes: Buffer;
  try {
    bytes = await readBounded(file, { what: 'the policy file', maxBytes: MAX_POLICY_BYTES, refuseEmpty: true, signal });
  } catch (err) {
    if (err instanceof FileReadError) return { ok: false, unreadable: true, findings: [err.message] };
    throw err;
  }
  // Compiled from the bytes just read (one read: the hash is of what was compiled, even
  // while the file is being rewritten); documents it `extends` are read as the CLI does.
  const c = await compileFile(file, signal, bytes);
  if (c.unreadable) return { ok: false, unreadable: true, findings: [`the policy file ${c.unreadable}`] };
  const errors = c.diagnostics.filter((d) => d.severity === 'error');
  if (!c.ir || errors.length > 0) {
    return { ok: false, unreadable: false, findings: errors.map((d) => `${d.file}:${d.line}:${d.column} ${d.rule}: ${d.message}`) };
  }
  return { ok: true, policy: { ir: c.ir, sha256: c.ir.source.sha256, loadedAt: new Date() } };
}
