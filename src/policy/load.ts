// Loading a policy document with its `extends` documents: read → YAML tree → schema →
// typed model, recursively, then merged in load order (extended documents first).

import { createHash } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic, Location } from '../diagnostics/diagnostic.js';
import type { Unmatched } from '../ir/types.js';
import { readDocument, type DefaultsSrc, type DocumentSrc, type Loc, type PolicySrc, type RequireSrc } from './document.js';
import { validateSchema } from './schema.js';
import { decodeSource, readSource } from './source.js';
import { parseYaml } from './yaml-tree.js';

export const MAX_EXTENDS_DEPTH = 32;

/** The merged program: every document's policies in load order and merged defaults. */
export interface Program {
  root: string;
  /** Every source file in load order, with its SHA-256. */
  files: { file: string; sha256: string }[];
  defaults: DefaultsSrc;
  /** Each document's own defaults, in load order: values a later document overrides are still checked. */
  documentDefaults: DefaultsSrc[];
  unmatched: Loc<Unmatched> | null;
  policies: PolicySrc[];
}

/** How files are shown in findings: relative to the working directory when below it. */
export function displayPath(abs: string): string {
  const rel = path.relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

/** Parses one document's text (no extends resolution); used by load and by tests. */
export function parseDocumentText(file: string, text: string): { doc: DocumentSrc | null; diagnostics: Diagnostic[] } {
  const { tree, diagnostics } = parseYaml(file, text);
  if (!tree) return { doc: null, diagnostics };
  if (tree.value === null || typeof tree.value !== 'object' || Array.isArray(tree.value)) {
    return {
      doc: null,
      diagnostics: [
        { file, line: 1, column: 1, rule: 'schema', severity: 'error', message: 'a trust policy document must be a mapping with `version: 1`' },
      ],
    };
  }
  const schemaErrors = validateSchema(tree);
  if (schemaErrors.length > 0) return { doc: null, diagnostics: schemaErrors };
  return { doc: readDocument(tree), diagnostics: [] };
}

/** `signal` bounds the reads (a file that is a pipe whose writer never closes). */
/**
 * `rootBytes`: the root file's content when the caller has already read it (the service
 * reads it once, with its own limits and messages); documents it extends are read here.
 */
export async function loadProgram(
  file: string,
  signal?: AbortSignal,
  rootBytes?: Uint8Array,
): Promise<{ program: Program | null; diagnostics: Diagnostic[]; unreadable: string | null }> {
  const diagnostics: Diagnostic[] = [];
  let unreadable: string | null = null;
  const docs: DocumentSrc[] = [];
  const files: Program['files'] = [];
  const done = new Set<string>();

  const visit = async (abs: string, shown: string, stack: string[], from: Location | null): Promise<void> => {
    let real = abs;
    try {
      real = await realpath(abs);
    } catch {
      // readSource reports the missing file below.
    }
    if (stack.includes(real)) {
      const cycle = [...stack.slice(stack.indexOf(real)), real].map(displayPath).join(' → ');
      diagnostics.push({ ...(from ?? { file: shown, line: 1, column: 1 }), rule: 'extends-cycle', severity: 'error', message: `documents extend each other in a cycle: ${cycle}; remove one of the \`extends\` entries` });
      return;
    }
    if (done.has(real)) return; // a diamond: each file is merged once, at its first place
    if (stack.length > MAX_EXTENDS_DEPTH) {
      diagnostics.push({ ...(from ?? { file: shown, line: 1, column: 1 }), rule: 'extends-cycle', severity: 'error', message: `\`extends\` nests deeper than ${MAX_EXTENDS_DEPTH} documents` });
      return;
    }
    const src = rootBytes !== undefined && from === null ? decodeSource(shown, rootBytes) : await readSource(abs, shown, signal);
    if ('unreadable' in src) {
      // A missing extended document is a bad `extends` value, reported where it is named;
      // a missing root file is the caller's usage error.
      if (from) diagnostics.push({ ...from, rule: 'schema', severity: 'error', message: `\`extends\`: the document ${src.unreadable}` });
      else unreadable = src.unreadable;
      return;
    }
    if ('diagnostic' in src) {
      diagnostics.push(src.diagnostic);
      return;
    }
    done.add(real);
    const { doc, diagnostics: ds } = parseDocumentText(shown, src.text);
    diagnostics.push(...ds);
    if (!doc) return;
    for (const e of doc.extends) {
      const target = path.resolve(path.dirname(abs), e.value);
      await visit(target, displayPath(target), [...stack, real], e.loc);
    }
    docs.push(doc);
    files.push({ file: shown, sha256: createHash('sha256').update(src.text).digest('hex') });
  };

  const abs = path.resolve(file);
  await visit(abs, displayPath(abs), [], null);
  if (docs.length === 0) return { program: null, diagnostics, unreadable };
  return { program: mergeDocuments(displayPath(abs), docs, files), diagnostics, unreadable };
}

/** Loads a program from in-memory text (no extends allowed to escape); for `policy eval -` style uses and tests. */
export function programFromText(file: string, text: string): { program: Program | null; diagnostics: Diagnostic[] } {
  const decoded = decodeSource(file, new TextEncoder().encode(text));
  if ('diagnostic' in decoded) return { program: null, diagnostics: [decoded.diagnostic] };
  const { doc, diagnostics } = parseDocumentText(file, decoded.text);
  if (!doc) return { program: null, diagnostics };
  if (doc.extends.length > 0) {
    return {
      program: null,
      diagnostics: [{ ...doc.extends[0]!.loc, rule: 'schema', severity: 'error', message: 'a document read from memory cannot extend files' }],
    };
  }
  const sha256 = createHash('sha256').update(decoded.text).digest('hex');
  return { program: mergeDocuments(file, [doc], [{ file, sha256 }]), diagnostics };
}

function mergeRequire(under: RequireSrc, over: RequireSrc): RequireSrc {
  const out: RequireSrc = { ...under, ...definedOnly(over) };
  if (under.trustedDIDs || over.trustedDIDs) out.trustedDIDs = unionDIDs(under.trustedDIDs ?? [], over.trustedDIDs ?? []);
  return out;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Union keeping the first occurrence (and its location) of each DID. */
export function unionDIDs(a: readonly Loc<string>[], b: readonly Loc<string>[]): Loc<string>[] {
  const seen = new Set<string>();
  const out: Loc<string>[] = [];
  for (const d of [...a, ...b]) {
    if (seen.has(d.value)) continue;
    seen.add(d.value);
    out.push(d);
  }
  return out;
}

function mergeDocuments(root: string, docs: DocumentSrc[], files: Program['files']): Program {
  let defaults: DefaultsSrc = { require: {} };
  let unmatched: Loc<Unmatched> | null = null;
  const policies: PolicySrc[] = [];
  for (const d of docs) {
    if (d.defaults) {
      defaults = {
        ...defaults,
        ...definedOnly({ action: d.defaults.action, when: d.defaults.when }),
        require: mergeRequire(defaults.require, d.defaults.require),
      };
    }
    if (d.unmatched) unmatched = d.unmatched;
    policies.push(...d.policies);
  }
  const documentDefaults = docs.flatMap((d) => (d.defaults ? [d.defaults] : []));
  return { root, files, defaults, documentDefaults, unmatched, policies };
}
