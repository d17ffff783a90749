// Locates the real third-party tools (and our own Go programs under tools/<name>/) that
// scripts/tools/build.sh builds into a cache outside the repository. The pins live in one
// table, tools/versions.tsv, read by both the script and this module, so the path computed
// here is the path the script writes. A missing binary is an Error naming the tool, its
// pin and the command that builds it: tests that need a tool fail, they do not skip.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TOOL_NAMES = [
  'opa',
  'kyverno',
  'containerd',
  'ctr',
  'ratify',
  'helm',
  'crane',
  'oras',
  'kubeconform',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

export interface ToolPin {
  name: ToolName;
  module: string;
  version: string;
  /** The main package that is built. */
  package: string;
  tags: string[];
  /** Repo-relative dir of a tools module repeating the tool's replace directives, if any. */
  toolsModule: string | undefined;
  /** Arguments that make the binary print its version. */
  versionArgs: string[];
}

export const DEFAULT_TOOLS_CACHE = '/var/cache/atcr-verify/tools';

export function toolsCacheDir(): string {
  return process.env.ATCR_TOOLS_CACHE || DEFAULT_TOOLS_CACHE;
}

/** The repository root: the nearest ancestor holding tools/versions.tsv (works from src and dist). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'tools', 'versions.tsv'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('tools/versions.tsv not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

function listField(v: string, sep: string): string[] {
  return v === '-' || v === '' ? [] : v.split(sep);
}

let pinsCache: Map<ToolName, ToolPin> | undefined;

/** The pinned table, in build order. */
export function toolPins(): ToolPin[] {
  if (!pinsCache) {
    const file = join(repoRoot(), 'tools', 'versions.tsv');
    const pins = new Map<ToolName, ToolPin>();
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line.trim() === '' || line.startsWith('#')) return;
        const f = line.split('\t');
        if (f[0] === 'name') return;
        if (f.length !== 7) throw new Error(`${file}:${i + 1}: expected 7 tab-separated fields, got ${f.length}`);
        const name = f[0] as ToolName;
        if (!TOOL_NAMES.includes(name)) throw new Error(`${file}:${i + 1}: unknown tool "${f[0]}"`);
        pins.set(name, {
          name,
          module: f[1]!,
          version: f[2]!,
          package: f[3]!,
          tags: listField(f[4]!, ','),
          toolsModule: f[5] === '-' ? undefined : f[5],
          versionArgs: listField(f[6]!, ','),
        });
      });
    for (const n of TOOL_NAMES) if (!pins.has(n)) throw new Error(`${file}: no row for tool "${n}"`);
    pinsCache = pins;
  }
  return [...pinsCache.values()];
}

export function toolPin(name: ToolName): ToolPin {
  const pin = toolPins().find((p) => p.name === name);
  if (!pin) throw new Error(`unknown tool "${name}"; known: ${TOOL_NAMES.join(', ')}`);
  return pin;
}

/** `<cache>/<module with / as _>@<version>`, the directory build.sh installs into. */
export function toolDir(pin: Pick<ToolPin, 'module' | 'version'>): string {
  return join(toolsCacheDir(), `${pin.module.replaceAll('/', '_')}@${pin.version}`);
}

/** Absolute path of a pinned tool's binary; throws naming the tool and how to build it. */
export function toolPath(name: ToolName): string {
  const pin = toolPin(name);
  const bin = join(toolDir(pin), 'bin', name);
  if (!isExecutableFile(bin)) {
    throw new Error(
      `tool "${name}" (${pin.module}@${pin.version}) is not built: ${bin} is missing. ` +
        `Build it with: bash scripts/tools/build.sh ${name}`,
    );
  }
  return bin;
}

function isExecutableFile(p: string): boolean {
  try {
    const st = statSync(p);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

// --- our own Go programs (tools/<name>/ with package main at its root) ---

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && (e.name === 'go.mod' || e.name === 'go.sum' || e.name.endsWith('.go'))) out.push(p);
    }
  };
  walk(dir);
  return out.map((p) => relative(dir, p));
}

/**
 * The cache key of a repo-local Go module: sha256 of the `sha256sum`-style listing
 * ("<hex>  <relative path>\n", paths sorted bytewise) of its go.mod, go.sum and every *.go
 * file. scripts/tools/build.sh computes the same listing with find | sort | sha256sum.
 */
export function localToolKey(dir: string): string {
  const abs = resolve(repoRoot(), dir);
  const files = sourceFiles(abs).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const listing = files
    .map((f) => `${createHash('sha256').update(readFileSync(join(abs, f))).digest('hex')}  ${f}\n`)
    .join('');
  return createHash('sha256').update(listing).digest('hex');
}

/** Absolute path of the binary built from a repo-local Go module dir (e.g. 'tools/gk-harness'). */
export function localToolPath(dir: string): string {
  const abs = resolve(repoRoot(), dir);
  if (!existsSync(join(abs, 'go.mod'))) throw new Error(`${dir} is not a Go module (no go.mod)`);
  const name = basename(abs);
  const key = localToolKey(dir);
  const bin = join(toolsCacheDir(), 'local', `${name}@${key}`, 'bin', name);
  if (!isExecutableFile(bin)) {
    const rel = relative(repoRoot(), abs);
    throw new Error(
      `local tool "${name}" (${rel}, sources sha256 ${key.slice(0, 12)}) is not built for its current sources: ` +
        `${bin} is missing. Build it with: bash scripts/tools/build.sh --local ${rel}`,
    );
  }
  return bin;
}
