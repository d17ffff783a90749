// Running the real `opa` binary: eval with files, check with capabilities.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolPath } from '../support/tools.js';

/** OPA_BIN, or the pinned opa of scripts/tools/build.sh (an error naming the tool when it is not built). */
export const OPA = process.env.OPA_BIN ?? toolPath('opa');

/** Fails with a clear message when there is no `opa` to compare with. */
export function requireOpa(): string {
  try {
    return execFileSync(OPA, ['version'], { encoding: 'utf8' });
  } catch {
    throw new Error(`these tests compare with a real OPA: build it (bash scripts/tools/build.sh opa) or set OPA_BIN (tried ${OPA})`);
  }
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'atcr-opa-'));
}

export function writeFiles(dir: string, files: Record<string, string>): string[] {
  return Object.entries(files).map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
}

/** `opa eval` of one query over the given modules and input; the query's value or undefined. */
export function opaEval(modules: string[], input: unknown, query: string, extraArgs: string[] = []): unknown {
  const dir = tempDir();
  const [inputFile] = writeFiles(dir, { 'input.json': JSON.stringify(input) });
  const out = execFileSync(OPA, ['eval', '--format', 'json', ...modules.flatMap((m) => ['--data', m]), '--input', inputFile!, ...extraArgs, query], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const result = JSON.parse(out) as { result?: { expressions: { value: unknown }[] }[] };
  return result.result?.[0]?.expressions[0]?.value;
}

/** `opa check` (strict) of the given files; throws with OPA's message on errors. */
export function opaCheck(files: string[], extraArgs: string[] = []): void {
  execFileSync(OPA, ['check', '--strict', ...extraArgs, ...files], { encoding: 'utf8', stdio: 'pipe' });
}

/** OPA's capabilities plus Gatekeeper's `external_data`, for checking templates. */
export function gatekeeperCapabilities(dir: string): string {
  const caps = JSON.parse(execFileSync(OPA, ['capabilities', '--current'], { encoding: 'utf8' })) as { builtins: unknown[] };
  caps.builtins.push({
    name: 'external_data',
    decl: { type: 'function', args: [{ type: 'any' }], result: { type: 'any' } },
  });
  return writeFiles(dir, { 'capabilities.json': JSON.stringify(caps) })[0]!;
}
