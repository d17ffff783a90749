// Policy selection without testing every glob per image. Each scope is filed under its
// longest run of literal characters: a leading run is looked up by the subject's
// prefixes, a trailing run by its suffixes (hash probes behind a bit filter), a run in
// the middle into an Aho–Corasick automaton scanned over the subject. Scopes without any
// literal go to a bucket tested always. Only scopes whose key occurs in the image are
// run through their matcher, so the cost follows the image's length and the few scopes
// sharing its literals, not the number of policies.

import type { IRPolicy, IRScope } from '../ir/types.js';
import type { ImageRef } from '../ref/reference.js';
import { AhoCorasick } from './aho-corasick.js';
import { literalSuffixOf, tokenizeGlob, type GlobToken } from './glob.js';
import { encode, greedyMatch, matcherForTokens, type StringMatcher } from './match.js';

interface Entry {
  /** Position of the policy in the constructor's array. */
  policy: number;
  rank: number;
  /** The scope matches image.name + ":" + image.tag rather than image.name. */
  withTag: boolean;
  /**
   * For a scope filed under its literal prefix: what is left to check once the key has
   * matched, so the common globs (`reg/team/x`, `reg/team/*`, `reg/team/**`) need no
   * call into a matcher. Every other entry goes through `match`.
   */
  rest: Rest;
  /** Length of the literal prefix already checked (for the Rest shortcuts). */
  from: number;
  /** Rest.Greedy: the tokens between prefix and literal suffix, and that suffix. */
  kinds: Uint8Array;
  chars: Int32Array;
  suffix: string;
  match: StringMatcher;
  /** The last call that tested this entry (a key may occur twice in one subject). */
  seen: number;
}

const enum Rest {
  Match, // run the matcher
  Nothing, // the glob is all literal: the subject is the key
  Star, // prefix then `*`: no `/` after the key
  DoubleStar, // prefix then `**`
  Greedy, // prefix, then stars, `?` and literals without `**`, then a literal suffix
}

const NO_KINDS = new Uint8Array(0);
const NO_CHARS = new Int32Array(0);

/** Sets the shortcut for an entry whose literal prefix, tokens[0, from), is its key. */
function setRestAfterPrefix(e: Entry, tokens: readonly GlobToken[], from: number, key: string): void {
  e.from = key.length; // in UTF-16 units, like the subject offsets
  if (from === tokens.length) e.rest = Rest.Nothing;
  else if (from === tokens.length - 1 && tokens[from]!.kind === 'star') e.rest = Rest.Star;
  else if (from === tokens.length - 1 && tokens[from]!.kind === 'doubleStar') e.rest = Rest.DoubleStar;
  else if (!tokens.some((t) => t.kind === 'doubleStar')) {
    const suffix = literalSuffixOf(tokens);
    const middle = encode(tokens.slice(from, tokens.length - [...suffix].length));
    e.rest = Rest.Greedy;
    e.kinds = middle.kinds;
    e.chars = middle.chars;
    e.suffix = suffix;
  }
}

/**
 * Literal keys that must sit at one end of the subject (its start, or with fromEnd its
 * end). A lookup hashes the subject's ends incrementally and probes the map only where
 * a key of that length exists and a small bit filter says the hash may be a key: with
 * 10,000 keys the map's entries are scattered over the heap, and every probe that is not
 * filtered out costs a cache miss. (A character trie misses on every step of its walk.)
 */
class EndKeys {
  private readonly byKey = new Map<string, Entry[]>();
  private hasLength = new Uint8Array(0);
  private filter = new Uint32Array(0);
  private mask = 0;

  constructor(private readonly fromEnd: boolean) {}

  add(key: string, e: Entry): void {
    const list = this.byKey.get(key);
    if (list !== undefined) list.push(e);
    else this.byKey.set(key, [e]);
  }

  /** Builds the length table and the filter; call once after the last add. */
  build(): void {
    let maxLen = 0;
    for (const key of this.byKey.keys()) maxLen = Math.max(maxLen, key.length);
    this.hasLength = new Uint8Array(maxLen + 1);
    let bits = 1024;
    while (bits < this.byKey.size * 16 && bits < 1 << 22) bits *= 2;
    this.filter = new Uint32Array(bits / 32);
    this.mask = bits - 1;
    for (const key of this.byKey.keys()) {
      this.hasLength[key.length] = 1;
      const h = this.hashOf(key, key.length);
      this.filter[(h & this.mask) >>> 5]! |= 1 << (h & 31);
    }
  }

  /** Visits the entries of every key that is a prefix (or suffix) of subject. */
  lookup(subject: string, visit: (entries: readonly Entry[]) => void): void {
    const n = subject.length;
    const limit = Math.min(n, this.hasLength.length - 1);
    let h = FNV_OFFSET;
    for (let len = 1; len <= limit; len++) {
      h = Math.imul(h ^ subject.charCodeAt(this.fromEnd ? n - len : len - 1), FNV_PRIME);
      if (this.hasLength[len] === 0 || (this.filter[(h & this.mask) >>> 5]! & (1 << (h & 31))) === 0) continue;
      const list = this.byKey.get(this.fromEnd ? subject.substring(n - len) : subject.substring(0, len));
      if (list !== undefined) visit(list);
    }
  }

  private hashOf(key: string, len: number): number {
    let h = FNV_OFFSET;
    for (let i = 1; i <= len; i++) h = Math.imul(h ^ key.charCodeAt(this.fromEnd ? len - i : i - 1), FNV_PRIME);
    return h;
  }

  forEach(visit: (e: Entry) => void): void {
    for (const list of this.byKey.values()) list.forEach(visit);
  }
}

// FNV-1a, 32 bits: cheap to extend by one character at a time.
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

export interface ScopeCandidate {
  policy: IRPolicy;
  rank: number;
}

export class ScopeIndex {
  private readonly policies: readonly IRPolicy[];
  private readonly prefixes = new EndKeys(false);
  /** Suffix keys, one table per target (a name scope's suffix ends the name). */
  private readonly nameSuffixes = new EndKeys(true);
  private readonly tagSuffixes = new EndKeys(true);
  private readonly infixes = new AhoCorasick<Entry>();
  private infixCount = 0;
  private readonly unkeyed: Entry[] = [];
  // Per-call scratch: the best rank seen per policy, valid where stamp === call.
  private readonly best: Int32Array;
  /** Each policy's `index`, for ties: sorting need not touch the (cold) policy objects. */
  private readonly order: Int32Array;
  private readonly stamp: Uint32Array;
  private call = 0;
  private readonly hits: number[] = [];
  private name = '';
  private nameTag = '';
  private readonly byRankThenIndex = (a: number, b: number): number =>
    this.best[b]! - this.best[a]! || this.order[a]! - this.order[b]!;
  private readonly visitInfix = (entries: readonly Entry[], end: number): void => {
    // A name scope's key must lie inside the name; the scan runs over name:tag.
    for (const e of entries) if (e.withTag || end <= this.name.length) this.test(e);
  };

  constructor(policies: readonly IRPolicy[]) {
    this.policies = policies;
    this.best = new Int32Array(policies.length);
    this.order = Int32Array.from(policies, (p) => p.index);
    this.stamp = new Uint32Array(policies.length);
    policies.forEach((p, i) => {
      for (const scope of p.scopes) this.file(scope, i);
    });
    this.prefixes.build();
    this.nameSuffixes.build();
    this.tagSuffixes.build();
    this.infixes.build();
  }

  private file(scope: IRScope, policy: number): void {
    const r = tokenizeGlob(scope.glob);
    // The loader only lowers valid globs; an invalid one here is a bug upstream.
    if ('error' in r) throw new Error(`invalid scope glob ${JSON.stringify(scope.glob)}: ${r.error.message}`);
    const withTag = scope.target === 'name-tag';
    const e: Entry = {
      policy,
      rank: scope.rank,
      withTag,
      rest: Rest.Match,
      from: 0,
      kinds: NO_KINDS,
      chars: NO_CHARS,
      suffix: '',
      match: matcherForTokens(r.tokens),
      seen: 0,
    };
    const key = longestLiteralRun(r.tokens);
    if (key.text.length === 0) {
      this.unkeyed.push(e);
    } else if (key.start === 0) {
      setRestAfterPrefix(e, r.tokens, key.end, key.text);
      this.prefixes.add(key.text, e);
    } else if (key.end === r.tokens.length) {
      (withTag ? this.tagSuffixes : this.nameSuffixes).add(key.text, e);
    } else {
      this.infixes.add(key.text, e);
      this.infixCount++;
    }
  }

  /** Policies with a matching scope, best first: rank desc (a policy's rank = its best matching scope's rank), then index asc. */
  candidates(image: ImageRef): ScopeCandidate[] {
    const name = image.name;
    const nameTag = name + ':' + image.tag;
    this.name = name;
    this.nameTag = nameTag;
    if (++this.call === 0xffffffff) this.restartStamps();
    this.hits.length = 0;

    // name:tag starts with the name, so one prefix table serves both targets.
    this.prefixes.lookup(nameTag, this.testAll);
    this.nameSuffixes.lookup(name, this.testAll);
    this.tagSuffixes.lookup(nameTag, this.testAll);
    if (this.infixCount > 0) this.infixes.scan(nameTag, this.visitInfix);
    this.testAll(this.unkeyed);

    const hits = this.hits;
    if (hits.length > 1) hits.sort(this.byRankThenIndex);
    const out: ScopeCandidate[] = new Array(hits.length);
    for (let j = 0; j < hits.length; j++) out[j] = { policy: this.policies[hits[j]!]!, rank: this.best[hits[j]!]! };
    return out;
  }

  private readonly testAll = (entries: readonly Entry[]): void => {
    for (const e of entries) this.test(e);
  };

  private test(e: Entry): void {
    if (e.seen === this.call) return;
    e.seen = this.call;
    const known = this.stamp[e.policy] === this.call;
    if (known && this.best[e.policy]! >= e.rank) return;
    const subject = e.withTag ? this.nameTag : this.name;
    // The prefix table matched the key against name:tag; a name scope's key must also fit in the name.
    let ok: boolean;
    switch (e.rest) {
      case Rest.Nothing:
        ok = subject.length === e.from;
        break;
      case Rest.Star:
        ok = subject.length >= e.from && subject.indexOf('/', e.from) < 0;
        break;
      case Rest.DoubleStar:
        ok = subject.length >= e.from;
        break;
      case Rest.Greedy: {
        const to = subject.length - e.suffix.length;
        ok = to >= e.from && (e.suffix === '' || subject.endsWith(e.suffix)) && greedyMatch(e.kinds, e.chars, subject, e.from, to);
        break;
      }
      default:
        ok = e.match(subject);
    }
    if (!ok) return;
    if (!known) {
      this.stamp[e.policy] = this.call;
      this.hits.push(e.policy);
    }
    this.best[e.policy] = e.rank;
  }

  /** After 2³² calls the stamps would repeat: forget them all once. */
  private restartStamps(): void {
    this.stamp.fill(0);
    const clear = (e: Entry) => (e.seen = 0);
    [this.prefixes, this.nameSuffixes, this.tagSuffixes].forEach((t) => t.forEach(clear));
    this.unkeyed.forEach(clear);
    this.infixes.forEachValue(clear);
    this.call = 1;
  }
}

/** The longest run of literal tokens (the first of equal length), as text and token span. */
export function longestLiteralRun(tokens: readonly GlobToken[]): { text: string; start: number; end: number } {
  let best = { text: '', start: 0, end: 0 };
  let bestLen = 0;
  for (let i = 0; i < tokens.length; ) {
    if (tokens[i]!.kind !== 'literal') {
      i++;
      continue;
    }
    let j = i;
    let text = '';
    for (; j < tokens.length; j++) {
      const t = tokens[j]!;
      if (t.kind !== 'literal') break;
      text += t.char;
    }
    // A trailing run wins a tie over a middle one: its anchored trie filters better.
    if (j - i > bestLen || (j - i === bestLen && j === tokens.length)) {
      best = { text, start: i, end: j };
      bestLen = j - i;
    }
    i = j;
  }
  return best;
}
