// Runs the built CLI (`node dist/src/cli/main.js`) as a user would, capturing output
// and the exit code. ATCR_VERIFY_CLI points elsewhere when needed (a local build).

import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = process.env.ATCR_VERIFY_CLI ?? `${ROOT}dist/src/cli/main.js`;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  // The user's own settings must not leak into scenarios.
  const base = { ...process.env };
  delete base.ATCR_PLC_URL;
  delete base.ATCR_OWNER_REGISTRIES;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: ROOT, env: { ...base, ...env }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export interface VerifyJson {
  image: string;
  digest: string;
  verified: boolean;
  /** The DID that owns the repository, when the registry names one (atcr.io: the first path segment). */
  owner?: string;
  signatures: { valid: boolean; did: string; handle?: string; pds?: string; algorithm?: string; signedAt?: string; recordUri?: string; recordCid?: string; commitCid?: string; commitRev?: string; keyId?: string; digest?: string; error?: { code: string; message: string } }[];
  decision: { allowed: boolean; effect: string; policy: string | null; satisfiedBy: string[]; violations: { code: string; did?: string }[] } | null;
  offline: boolean;
  durationMs: number;
}

export function parseOutput(run: CliRun): VerifyJson {
  try {
    return JSON.parse(run.stdout) as VerifyJson;
  } catch {
    throw new Error(`CLI printed no JSON (exit ${run.code}): ${run.stdout}\n${run.stderr}`);
  }
}

/** A loopback port with nothing listening: every connection to it is refused. */
export async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}
