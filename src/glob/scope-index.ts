// Policy selection without testing every glob per image. Each scope is filed under its
// longest literal end: its literal prefix (in a trie walked along the subject) or its
// literal suffix (in a trie walked backwards from the subject's end); scopes with neither
// go to a small bucket tested always. Only scopes whose literal end fits the image are
// then run through their matcher, so the cost depends on the image's length and the few
// scopes that share its prefixes, not on the number of policies.

import type { IRPolicy, IRScope } from '../ir/types.js';
import type { ImageRef } from '../ref/reference.js';
import { literalPrefixOf, tokenizeGlob, type GlobToken } from './glob.js';
import { matcherForTokens, type StringMatcher } from './match.js';

interface Entry {
  /** Position of the policy in the constructor's array. */
  policy: number;
  rank: number;
  /** The scope matches image.name + ":" + image.tag rather than image.name. */
  withTag: boolean;
  match: StringMatcher;
}

/** A trie over UTF-16 code units (a prefix in code points is one in code units too). */
class TrieNode {
  next: Map<number, TrieNode> | null = null;
  entries: Entry[] | null = null;

  child(code: number): TrieNode {
    if (this.next === null) this.next = new Map();
    let node = this.next.get(code);
    if (node === undefined) {
      node = new TrieNode();
      this.next.set(code, node);
    }
    return node;
  }

  add(e: Entry): void {
    (this.entries ??= []).push(e);
  }
}

export interface ScopeCandidate {
  policy: IRPolicy;
  rank: number;
}

export class ScopeIndex {
  private readonly policies: readonly IRPolicy[];
  private readonly prefixes = new TrieNode();
  /** Suffix tries, one per target, keyed from the last character backwards. */
  private readonly nameSuffixes = new TrieNode();
  private readonly tagSuffixes = new TrieNode();
  private readonly unkeyed: Entry[] = [];
  // Per-call scratch: the best rank seen per policy, valid where stamp === call.
  private readonly best: Int32Array;
  private readonly stamp: Uint32Array;
  private call = 0;
  private readonly hits: number[] = [];

  constructor(policies: readonly IRPolicy[]) {
    this.policies = policies;
    this.best = new Int32Array(policies.length);
    this.stamp = new Uint32Array(policies.length);
    policies.forEach((p, i) => {
      for (const scope of p.scopes) this.file(scope, i);
    });
  }

  private file(scope: IRScope, policy: number): void {
    const r = tokenizeGlob(scope.glob);
    // The loader only lowers valid globs; an invalid one here is a bug upstream.
    if ('error' in r) throw new Error(`invalid scope glob ${JSON.stringify(scope.glob)}: ${r.error.message}`);
    const withTag = scope.target === 'name-tag';
    const e: Entry = { policy, rank: scope.rank, withTag, match: matcherForTokens(r.tokens) };
    const prefix = literalPrefixOf(r.tokens);
    const suffix = literalSuffixOf(r.tokens);
    if (prefix.length === 0 && suffix.length === 0) {
      this.unkeyed.push(e);
    } else if (prefix.length >= suffix.length) {
      let node = this.prefixes;
      for (let i = 0; i < prefix.length; i++) node = node.child(prefix.charCodeAt(i));
      node.add(e);
    } else {
      let node = withTag ? this.tagSuffixes : this.nameSuffixes;
      for (let i = suffix.length - 1; i >= 0; i--) node = node.child(suffix.charCodeAt(i));
      node.add(e);
    }
  }

  /** Policies with a matching scope, best first: rank desc (a policy's rank = its best matching scope's rank), then index asc. */
  candidates(image: ImageRef): ScopeCandidate[] {
    const name = image.name;
    const nameTag = name + ':' + image.tag;
    if (++this.call === 0xffffffff) {
      this.stamp.fill(0);
      this.call = 1;
    }
    this.hits.length = 0;

    // Prefix trie: walk name + ":" + tag from the start.
    let node: TrieNode | undefined = this.prefixes;
    for (let i = 0; node !== undefined; i++) {
      if (node.entries !== null) this.verify(node.entries, name, nameTag);
      if (i >= nameTag.length || node.next === null) break;
      node = node.next.get(nameTag.charCodeAt(i));
    }
    this.walkSuffixes(this.nameSuffixes, name, name, nameTag);
    this.walkSuffixes(this.tagSuffixes, nameTag, name, nameTag);
    this.verify(this.unkeyed, name, nameTag);

    const out: ScopeCandidate[] = [];
    for (const i of this.hits) out.push({ policy: this.policies[i]!, rank: this.best[i]! });
    if (out.length > 1) out.sort((a, b) => b.rank - a.rank || a.policy.index - b.policy.index);
    return out;
  }

  private walkSuffixes(root: TrieNode, subject: string, name: string, nameTag: string): void {
    let node: TrieNode | undefined = root;
    for (let i = subject.length - 1; node !== undefined; i--) {
      if (node.entries !== null) this.verify(node.entries, name, nameTag);
      if (i < 0 || node.next === null) break;
      node = node.next.get(subject.charCodeAt(i));
    }
  }

  private verify(entries: readonly Entry[], name: string, nameTag: string): void {
    for (const e of entries) {
      const known = this.stamp[e.policy] === this.call;
      if (known && this.best[e.policy]! >= e.rank) continue;
      if (!e.match(e.withTag ? nameTag : name)) continue;
      if (!known) {
        this.stamp[e.policy] = this.call;
        this.hits.push(e.policy);
      }
      this.best[e.policy] = e.rank;
    }
  }
}

/** The literal characters after the last metacharacter. */
function literalSuffixOf(tokens: readonly GlobToken[]): string {
  let s = '';
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i]!;
    if (t.kind !== 'literal') break;
    s = t.char + s;
  }
  return s;
}
