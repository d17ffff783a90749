// The warning rules of trust-policy.md "Lint rules". Each takes the resolved policies
// and their IR and returns findings that say what to change.

import type { Diagnostic, Location } from '../diagnostics/diagnostic.js';
import { scopeCoveredBy, scopesIntersect } from '../glob/automaton.js';
import type { IRDocument, IRPolicy, IRScope } from '../ir/types.js';
import type { Checked } from '../policy/check.js';
import type { Effective, ResolvedPolicy } from '../policy/inherit.js';
import type { Program } from '../policy/load.js';

export interface LintContext {
  program: Program;
  resolved: readonly ResolvedPolicy[];
  checked: Checked;
  ir: IRDocument;
}

function warn(loc: Location, rule: string, message: string): Diagnostic {
  return { ...loc, rule, severity: 'warning', message };
}

/** Where a parent's value was written, naming the layer when it is not the parent itself. */
function origin(r: ResolvedPolicy, p: { from: string; loc: Location | null }): string {
  if (r.parent && p.from !== r.parent.src.name.value) {
    return p.loc ? ` (inherited from ${p.from}, ${p.loc.file}:${p.loc.line}:${p.loc.column})` : ' (built in)';
  }
  return where(p.loc);
}

function where(l: Location | null): string {
  return l ? ` (${l.file}:${l.line}:${l.column})` : '';
}

export function trustsAnyDid(ctx: LintContext): Diagnostic[] {
  return ctx.resolved
    .filter((r) => r.signature.value && r.trustedDIDs.length === 0)
    .map((r) =>
      warn(
        r.src.name.loc,
        'trusts-any-did',
        `policy ${r.src.name.value} requires a signature but trusts any DID, so anyone can sign; add require.trustedDIDs here or in defaults`,
      ),
    );
}

export function minSignaturesUnreachable(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  ctx.resolved.forEach((r, i) => {
    const req = ctx.ir.policies[i]!.require;
    if (!req.signature || req.trustOwner || req.trustedDIDs.length === 0) return;
    if (req.minSignatures > req.trustedDIDs.length) {
      out.push(
        warn(
          // At the policy's own minSignatures, else at its name: an inherited location is
          // shared by many policies, and findings at one place would collapse into one.
          r.src.require.minSignatures?.loc ?? r.src.name.loc,
          'min-signatures-unreachable',
          `policy ${r.src.name.value} needs ${req.minSignatures} distinct signers but trusts only ${req.trustedDIDs.length} DID${req.trustedDIDs.length === 1 ? '' : 's'}, so it can never be satisfied; lower minSignatures or trust more DIDs`,
        ),
      );
    }
  });
  return out;
}

/**
 * The parent's effective value of a field: the parent policy's (a built-in value included:
 * a parent policy that sets nothing still requires a signature and enforces), or for a
 * root policy the value `defaults` sets, if any.
 */
function parentValue<T>(r: ResolvedPolicy, pick: (p: ResolvedPolicy) => Effective<T>, fromDefaults: () => { value: T; loc: Location } | undefined): { value: T; from: string; loc: Location | null } | null {
  if (r.parent) return pick(r.parent);
  const d = fromDefaults();
  return d ? { ...d, from: 'defaults' } : null;
}

export function weakensParent(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const defaults = ctx.program.defaults;
  for (const r of ctx.resolved) {
    const own = r.src.require;
    const name = r.src.name.value;
    const parentName = r.parent ? `its parent ${r.parent.src.name.value}` : 'defaults';
    if (own.maxAge && ctx.checked.durations.has(own.maxAge)) {
      const dm = defaults.require.maxAge;
      const p = parentValue(r, (x) => x.maxAge, () => (dm ? { value: dm, loc: dm.loc } : undefined));
      const mine = ctx.checked.durations.get(own.maxAge)!;
      const theirs = p?.value ? ctx.checked.durations.get(p.value) : undefined;
      if (theirs !== undefined && mine > theirs) {
        // The durations as written (30d), not renormalized (4w2d).
        out.push(warn(own.maxAge.loc, 'weakens-parent', `policy ${name} lengthens maxAge to ${own.maxAge.value}, beyond the ${p!.value!.value} of ${parentName}${origin(r, p!)}; shorten it or remove it to inherit`));
      }
    }
    if (own.signature && own.signature.value === false) {
      const p = parentValue(r, (x) => x.signature, () => defaults.require.signature);
      if (p && p.value === true) {
        out.push(warn(own.signature.loc, 'weakens-parent', `policy ${name} turns off the signature that ${parentName}${origin(r, p)} requires; images it scopes run unsigned`));
      }
    }
    if (own.minSignatures) {
      const p = parentValue(r, (x) => x.minSignatures, () => defaults.require.minSignatures);
      if (p && own.minSignatures.value < p.value) {
        out.push(warn(own.minSignatures.loc, 'weakens-parent', `policy ${name} lowers minSignatures to ${own.minSignatures.value}, below the ${p.value} of ${parentName}${origin(r, p)}`));
      }
    }
    if (r.src.action && r.src.action.value !== 'enforce') {
      const p = parentValue(r, (x) => x.action, () => defaults.action);
      if (p && p.value === 'enforce') {
        out.push(warn(r.src.action.loc, 'weakens-parent', `policy ${name} moves action from enforce of ${parentName}${origin(r, p)} to ${r.src.action.value}, so failures no longer deny`));
      }
    }
  }
  return out;
}

function scopeLoc(r: ResolvedPolicy, s: IRScope): Location {
  return (r.src.scopes.find((x) => x.value === s.glob) ?? r.src.scopes[0]!).loc;
}

/** Only literal prefixes that can both match one string let two scopes meet. */
function prefixesCompatible(a: IRScope, b: IRScope): boolean {
  return a.literalPrefix.startsWith(b.literalPrefix) || b.literalPrefix.startsWith(a.literalPrefix);
}

export function overlappingScopes(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byRank = new Map<number, { p: IRPolicy; s: IRScope }[]>();
  for (const p of ctx.ir.policies) for (const s of p.scopes) (byRank.get(s.rank) ?? byRank.set(s.rank, []).get(s.rank)!).push({ p, s });
  const reported = new Set<string>();
  for (const group of byRank.values()) {
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) {
        const a = group[i]!;
        const b = group[j]!;
        if (a.p === b.p || !prefixesCompatible(a.s, b.s)) continue;
        const [first, second] = a.p.index < b.p.index ? [a, b] : [b, a];
        const key = `${first.p.name}\0${second.p.name}`;
        if (reported.has(key)) continue;
        const witness = scopesIntersect(first.s, second.s);
        if (witness === null) continue;
        reported.add(key);
        const whenNote = first.p.when || second.p.when ? ' unless their `when` conditions keep them apart' : '';
        out.push(
          warn(
            scopeLoc(ctx.resolved[second.p.index]!, second.s),
            'overlapping-scopes',
            `policies ${first.p.name} ("${first.s.glob}") and ${second.p.name} ("${second.s.glob}") are equally specific and both match e.g. ${witness}; ${first.p.name} wins by document order${whenNote}. Make one scope more specific or merge the policies`,
          ),
        );
      }
    }
  }
  return out;
}

/** Whether policy q's scope t takes an image from a scope s of policy p. */
function beats(q: IRPolicy, t: IRScope, p: IRPolicy, s: IRScope): boolean {
  return t.rank > s.rank || (t.rank === s.rank && q.index < p.index);
}

export function unreachablePolicy(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const all = ctx.ir.policies;
  for (const p of all) {
    let unreachable = true;
    const takers = new Set<string>();
    for (const s of p.scopes) {
      // Images where p ranks higher through another of its own scopes are judged there.
      const outers: IRScope[] = p.scopes.filter((o) => o.rank > s.rank);
      for (const q of all) {
        if (q === p || q.when) continue; // a `when` may be false: q cannot be relied on to take the image
        for (const t of q.scopes) {
          if (beats(q, t, p, s) && prefixesCompatible(s, t) && scopesIntersect(s, t) !== null) {
            outers.push(t);
            takers.add(q.name);
          }
        }
      }
      if (outers.length === 0 || scopeCoveredBy(s, outers) !== true) {
        unreachable = false;
        break;
      }
    }
    if (unreachable && takers.size > 0) {
      const r = ctx.resolved[p.index]!;
      out.push(
        warn(
          r.src.name.loc,
          'unreachable-policy',
          `policy ${p.name} never applies: every image its scope matches is taken by a more specific (or earlier, equally specific) policy: ${[...takers].sort().join(', ')}; remove it or narrow the other scopes`,
        ),
      );
    }
  }
  return out;
}

export const WARNING_RULES = [trustsAnyDid, weakensParent, overlappingScopes, unreachablePolicy, minSignaturesUnreachable];
