// Suppression comments (docs/cli.md "Suppressing a finding"):
//   # atcr-verify: ignore <rule>[,<rule>…] -- <reason>       on the finding's line, or on
//                                                           its policy's `- name:` line
//   # atcr-verify: ignore-file <rule>[,<rule>…] -- <reason>  anywhere in the file
// A reason is required: a suppression without one (or naming a rule lint does not have,
// or one that cannot be suppressed) suppresses nothing and is itself a finding. Suppressed
// findings stay in the list, marked, so machine formats can still show them.

import type { Diagnostic, Location, Suppression } from '../diagnostics/diagnostic.js';
import { RULES } from '../diagnostics/rules.js';
import type { ResolvedPolicy } from '../policy/inherit.js';
import { yamlComments } from '../policy/yaml-tree.js';

/** The rules of the lint analyses; the compiler's errors must be fixed, not suppressed. */
export const SUPPRESSIBLE: ReadonlySet<string> = new Set([
  'trusts-any-did',
  'weakens-parent',
  'overlapping-scopes',
  'unreachable-policy',
  'min-signatures-unreachable',
  'analysis-budget',
]);

const DIRECTIVE = /^\s*atcr-verify:\s*(\S+)(.*)$/s;

interface Directive {
  scope: 'inline' | 'file';
  rules: string[];
  reason: string;
  at: Location;
}

function invalid(at: Location, message: string): Diagnostic {
  return { ...at, rule: 'invalid-suppression', severity: 'warning', message };
}

/** The directives in one file's comments, and findings for the malformed ones. */
function directives(file: string, text: string): { found: Directive[]; problems: Diagnostic[] } {
  const found: Directive[] = [];
  const problems: Diagnostic[] = [];
  // Most files have none: skip the second parse then.
  if (!text.includes('atcr-verify:')) return { found, problems };
  for (const c of yamlComments(text)) {
    const m = DIRECTIVE.exec(c.text);
    if (!m) continue;
    const at = { file, line: c.line, column: c.column };
    const verb = m[1]!;
    if (verb !== 'ignore' && verb !== 'ignore-file') {
      problems.push(invalid(at, `unknown directive "atcr-verify: ${verb}"; write "ignore <rule> -- <reason>" or "ignore-file <rule> -- <reason>"`));
      continue;
    }
    const body = m[2]!;
    const sep = body.indexOf('--');
    const rules = (sep < 0 ? body : body.slice(0, sep)).split(/[\s,]+/).filter(Boolean);
    const reason = sep < 0 ? '' : body.slice(sep + 2).trim();
    if (rules.length === 0) {
      problems.push(invalid(at, `"atcr-verify: ${verb}" names no rule; write "${verb} <rule> -- <reason>"`));
      continue;
    }
    if (reason === '') {
      problems.push(invalid(at, `the suppression of ${rules.join(', ')} gives no reason, so it suppresses nothing; add " -- <why this is intended>"`));
      continue;
    }
    const bad = rules.filter((r) => !SUPPRESSIBLE.has(r));
    if (bad.length > 0) {
      const why = bad.map((r) => (RULES[r] ? `${r} is an error to fix, not a finding to suppress` : `there is no rule ${r}`)).join('; ');
      problems.push(invalid(at, `cannot suppress: ${why}`));
      continue;
    }
    found.push({ scope: verb === 'ignore' ? 'inline' : 'file', rules, reason, at });
  }
  return { found, problems };
}

/**
 * The lines that speak for a finding: its own, and when it lies inside a policy, that
 * policy's list item and name lines.
 */
function policyLines(resolved: readonly ResolvedPolicy[]): (d: Diagnostic) => number[] {
  const byFile = new Map<string, { start: number; lines: number[] }[]>();
  for (const r of resolved) {
    const src = r.src;
    const item = src.loc;
    const list = byFile.get(src.name.loc.file) ?? byFile.set(src.name.loc.file, []).get(src.name.loc.file)!;
    list.push({ start: Math.min(item.line, src.name.loc.line), lines: [item.line, src.name.loc.line] });
  }
  for (const list of byFile.values()) list.sort((a, b) => a.start - b.start);
  return (d) => {
    const list = byFile.get(d.file) ?? [];
    // The last policy that starts at or before the finding holds it.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.start <= d.line) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? [d.line, ...list[lo - 1]!.lines] : [d.line];
  };
}

/** Marks the findings that suppression comments in `sources` (file → text) cover; adds findings for bad suppressions. */
export function applySuppressions(ds: readonly Diagnostic[], sources: ReadonlyMap<string, string>, resolved: readonly ResolvedPolicy[]): Diagnostic[] {
  const inline = new Map<string, Directive>(); // `${file}\0${line}\0${rule}`
  const fileWide = new Map<string, Directive>(); // `${file}\0${rule}`
  const problems: Diagnostic[] = [];
  for (const [file, text] of sources) {
    const r = directives(file, text);
    problems.push(...r.problems);
    for (const d of r.found) {
      for (const rule of d.rules) {
        if (d.scope === 'file') fileWide.set(`${file}\0${rule}`, d);
        else inline.set(`${file}\0${d.at.line}\0${rule}`, d);
      }
    }
  }
  if (inline.size === 0 && fileWide.size === 0) return [...ds, ...problems];
  const linesOf = policyLines(resolved);
  const out = ds.map((d): Diagnostic => {
    if (!SUPPRESSIBLE.has(d.rule)) return d;
    const hit = linesOf(d).map((l) => inline.get(`${d.file}\0${l}\0${d.rule}`)).find(Boolean) ?? fileWide.get(`${d.file}\0${d.rule}`);
    if (!hit) return d;
    const suppressed: Suppression = { kind: hit.scope, reason: hit.reason, at: hit.at };
    return { ...d, suppressed };
  });
  return [...out, ...problems];
}
