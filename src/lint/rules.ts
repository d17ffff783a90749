// The warning rules of trust-policy.md "Lint rules". Each takes the resolved policies
// and their IR and returns findings that say what to change.

import type { Diagnostic, Location } from '../diagnostics/diagnostic.js';
import { decidedIntersection, scopeCoveredBy } from '../glob/automaton.js';
import { WorkBudget } from '../glob/budget.js';
import { PrefixBuckets } from '../glob/prefix-buckets.js';
import type { IRDocument, IRPolicy, IRScope } from '../ir/types.js';
import type { Checked } from '../policy/check.js';
import type { Effective, ResolvedPolicy } from '../policy/inherit.js';
import type { Program } from '../policy/load.js';

export interface LintContext {
  program: Program;
  resolved: readonly ResolvedPolicy[];
  checked: Checked;
  ir: IRDocument;
  /** Work budget per check (CHECK_BUDGET unless a test sets a smaller one). */
  budget?: number;
}

function warn(loc: Location, rule: string, message: string): Diagnostic {
  return { ...loc, rule, severity: 'warning', message };
}

function error(loc: Location, rule: string, message: string): Diagnostic {
  return { ...loc, rule, severity: 'error', message };
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
        // An error: the policy can never be satisfied, so every image it scopes is denied.
        error(
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

/** The work one check may do, in automaton states explored and scope pairs considered. */
export const CHECK_BUDGET = 1_000_000;

interface Item {
  p: IRPolicy;
  s: IRScope;
  /** Position in document order over all scopes. */
  order: number;
}

/** Every scope of every policy, filed by literal prefix. */
function scopeBuckets(ctx: LintContext): { items: Item[]; buckets: PrefixBuckets<Item> } {
  const items: Item[] = [];
  const buckets = new PrefixBuckets<Item>();
  for (const p of ctx.ir.policies) {
    for (const s of p.scopes) {
      const it = { p, s, order: items.length };
      items.push(it);
      buckets.add(s.literalPrefix, it);
    }
  }
  return { items, buckets };
}

function longer(a: IRScope, b: IRScope): string {
  return a.literalPrefix.length >= b.literalPrefix.length ? a.literalPrefix : b.literalPrefix;
}

/**
 * The finding of a check that ran out of budget: which check, how far it got, and the
 * policies it could not finish, so a reader knows which findings may be missing.
 */
function budgetFinding(ctx: LintContext, check: string, budget: WorkBudget, unfinished: readonly IRPolicy[], what: string): Diagnostic {
  const names = [...new Set(unfinished.map((p) => p.name))];
  const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');
  const first = ctx.resolved[unfinished[0]!.index]!;
  return warn(
    first.src.name.loc,
    'analysis-budget',
    `${check} stopped after its work budget of ${budget.limit} automaton states: ${what} for ${shown} ${names.length === 1 ? 'was' : 'were'} not decided, so findings of ${check} may be missing there; give these scopes longer literal prefixes or fewer overlapping wildcards`,
  );
}

/**
 * Two equally specific policies that can match one image, where document order alone
 * decides: an image both match that no more specific scope takes (docs/scopes.md). An
 * image a more specific policy decides is no overlap of the two.
 */
export function overlappingScopes(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const budget = new WorkBudget(ctx.budget ?? CHECK_BUDGET);
  const { items, buckets } = scopeBuckets(ctx);
  const reported = new Set<string>();
  for (const a of items) {
    for (const b of buckets.compatible(a.s.literalPrefix)) {
      if (b.order <= a.order || b.s.rank !== a.s.rank || a.p === b.p) continue;
      budget.spend(1);
      if (budget.exhausted) {
        out.push(budgetFinding(ctx, 'overlapping-scopes', budget, items.slice(a.order).map((x) => x.p), 'overlap with equally specific policies'));
        return out;
      }
      const [first, second] = a.p.index < b.p.index ? [a, b] : [b, a];
      const key = `${first.p.name}\0${second.p.name}`;
      if (reported.has(key)) continue;
      // More specific scopes that may take part of the common images: a policy with a
      // `when` may not apply, so it is not relied on (the two policies' own scopes are).
      const outers: IRScope[] = [];
      for (const t of buckets.compatible(longer(a.s, b.s))) {
        if (t.s.rank > a.s.rank && (!t.p.when || t.p === a.p || t.p === b.p)) outers.push(t.s);
      }
      const answer = decidedIntersection([first.s, second.s], outers, budget);
      if (answer === 'unknown') {
        out.push(budgetFinding(ctx, 'overlapping-scopes', budget, items.slice(a.order).map((x) => x.p), 'overlap with equally specific policies'));
        return out;
      }
      if (answer.image === null) continue;
      reported.add(key);
      const whenNote = first.p.when || second.p.when ? ' unless their `when` conditions keep them apart' : '';
      out.push(
        warn(
          scopeLoc(ctx.resolved[second.p.index]!, second.s),
          'overlapping-scopes',
          `policies ${first.p.name} ("${first.s.glob}") and ${second.p.name} ("${second.s.glob}") are equally specific and both match e.g. ${answer.image}; ${first.p.name} wins by document order${whenNote}. Make one scope more specific or merge the policies`,
        ),
      );
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
  const budget = new WorkBudget(ctx.budget ?? CHECK_BUDGET);
  const { buckets } = scopeBuckets(ctx);
  const undecided: IRPolicy[] = [];
  const all = ctx.ir.policies;
  for (let pi = 0; pi < all.length; pi++) {
    const p = all[pi]!;
    if (budget.exhausted) {
      undecided.push(...all.slice(pi));
      break;
    }
    let unreachable: boolean | 'unknown' = true;
    const takers = new Set<string>();
    for (const s of p.scopes) {
      // Images where p ranks higher through another of its own scopes are judged there.
      const outers: IRScope[] = p.scopes.filter((o) => o.rank > s.rank);
      for (const { p: q, s: t } of buckets.compatible(s.literalPrefix)) {
        if (q === p || q.when) continue; // a `when` may be false: q cannot be relied on to take the image
        if (!beats(q, t, p, s)) continue;
        budget.spend(1);
        const meet = decidedIntersection([s, t], [], budget);
        if (meet === 'unknown') {
          unreachable = 'unknown';
          break;
        }
        if (meet.image !== null) {
          outers.push(t);
          takers.add(q.name);
        }
      }
      if (unreachable === 'unknown') break;
      if (outers.length === 0) {
        unreachable = false;
        break;
      }
      const covered = scopeCoveredBy(s, outers, budget);
      if (covered !== true) {
        unreachable = covered;
        break;
      }
    }
    if (unreachable === 'unknown') undecided.push(p);
    else if (unreachable && takers.size > 0) {
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
  if (undecided.length > 0) out.push(budgetFinding(ctx, 'unreachable-policy', budget, undecided, 'whether each can apply at all'));
  return out;
}

export const WARNING_RULES = [trustsAnyDid, weakensParent, overlappingScopes, unreachablePolicy, minSignaturesUnreachable];
