// Structure-aware mutations as fast-check arbitraries: byte edits (flip, insert a token
// from the target's dictionary, delete, duplicate, splice another corpus entry) and, for
// JSON targets, edits of the parsed tree (replace a node with a value of another type,
// nesting thousands deep, a huge string, drop a key). Positions are fractions, so one
// mutation applies to an input of any length; every choice is a value fast-check can shrink.

import fc from 'fast-check';

export interface Corpus {
  entries: Uint8Array[];
  /** Tokens that mean something to the parser: inserted whole. */
  dictionary: string[];
  json: boolean;
}

type ByteEdit =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'token'; at: number; token: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number; times: number }
  | { kind: 'splice'; at: number; other: number; from: number };

const frac = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

const arbByteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: frac, bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('set' as const), at: frac, byte: fc.constantFrom(0, 0x7f, 0x80, 0xff, 0x22, 0x5c, 0x7b, 0x5b, 0x0a, 0xc0, 0xe2) }),
  fc.record({ kind: fc.constant('insert' as const), at: frac, bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('token' as const), at: frac, token: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), at: frac, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: frac, length: fc.integer({ min: 1, max: 64 }), times: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('splice' as const), at: frac, other: fc.nat(), from: frac }),
);

const enc = new TextEncoder();

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function applyByteEdit(b: Uint8Array, e: ByteEdit, corpus: Corpus): Uint8Array {
  const at = Math.floor(e.at * (b.length + 1));
  switch (e.kind) {
    case 'flip':
    case 'set': {
      if (b.length === 0) return b;
      const out = b.slice();
      const i = Math.min(at, b.length - 1);
      out[i] = e.kind === 'flip' ? out[i]! ^ (1 << e.bit) : e.byte;
      return out;
    }
    case 'insert':
      return concat(b.subarray(0, at), e.bytes, b.subarray(at));
    case 'token': {
      if (corpus.dictionary.length === 0) return b;
      return concat(b.subarray(0, at), enc.encode(corpus.dictionary[e.token % corpus.dictionary.length]!), b.subarray(at));
    }
    case 'delete':
      return concat(b.subarray(0, at), b.subarray(Math.min(b.length, at + e.length)));
    case 'duplicate': {
      const piece = b.subarray(at, Math.min(b.length, at + e.length));
      return concat(b.subarray(0, at), ...new Array<Uint8Array>(e.times).fill(piece), b.subarray(at));
    }
    case 'splice': {
      const other = corpus.entries[e.other % corpus.entries.length]!;
      return concat(b.subarray(0, at), other.subarray(Math.floor(e.from * other.length)));
    }
  }
}

type TreeEdit = { node: number; value: unknown } | { node: number; drop: true };

/** Values of every JSON type, and the shapes that break careless readers. */
const arbHostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom<unknown>(null, true, false, 0, -0, 1e308, -1, 2 ** 53 + 1, '', [], {}, '\u0000', '\u202e', '\ud800', 'a'.repeat(70_000)),
  fc.integer({ min: 100, max: 20_000 }).map((depth) => {
    let v: unknown = [];
    for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
    return v;
  }),
);

const arbTreeEdit: fc.Arbitrary<TreeEdit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ node: fc.nat(), value: arbHostile }) },
  { weight: 1, arbitrary: fc.record({ node: fc.nat(), drop: fc.constant(true as const) }) },
);

/** Replaces (or drops) the `node`-th node of a pre-order walk. */
function applyTreeEdit(root: unknown, e: TreeEdit): unknown {
  const nodes: { parent: unknown; key: string | number }[] = [];
  const walk = (v: unknown, parent: unknown, key: string | number, depth: number) => {
    nodes.push({ parent, key });
    if (depth > 64 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) v.forEach((c, i) => walk(c, v, i, depth + 1));
    else for (const [k, c] of Object.entries(v)) walk(c, v, k, depth + 1);
  };
  const holder = { root };
  walk(root, holder, 'root', 0);
  const { parent, key } = nodes[e.node % nodes.length]!;
  const p = parent as Record<string | number, unknown>;
  if ('drop' in e && parent !== holder) {
    if (Array.isArray(p)) p.splice(key as number, 1);
    else delete p[key];
  } else if ('value' in e) {
    p[key] = e.value;
  }
  return holder.root;
}

/** One corpus entry, mutated: a stack of byte edits, or (JSON targets) tree edits then byte edits. */
export function arbMutated(corpus: Corpus): fc.Arbitrary<Uint8Array> {
  const seed = fc.nat(Math.max(0, corpus.entries.length - 1)).map((i) => corpus.entries[i]!);
  const bytes = fc.tuple(seed, fc.array(arbByteEdit, { minLength: 1, maxLength: 6 })).map(([s, edits]) => edits.reduce<Uint8Array>((b, e) => applyByteEdit(b, e, corpus), s));
  if (!corpus.json) return fc.oneof({ weight: 1, arbitrary: seed }, { weight: 8, arbitrary: bytes });
  const dec = new TextDecoder();
  const tree = fc.tuple(seed, fc.array(arbTreeEdit, { minLength: 1, maxLength: 4 }), fc.array(arbByteEdit, { maxLength: 2 })).map(([s, edits, after]) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(dec.decode(s));
    } catch {
      parsed = {};
    }
    const mutated = edits.reduce(applyTreeEdit, parsed);
    // JSON.stringify recurses: nesting past its stack is written by hand instead.
    let text: string;
    try {
      text = JSON.stringify(mutated) ?? 'null';
    } catch {
      text = '['.repeat(20_000) + ']'.repeat(20_000);
    }
    return after.reduce<Uint8Array>((b, e) => applyByteEdit(b, e, corpus), enc.encode(text));
  });
  return fc.oneof({ weight: 1, arbitrary: seed }, { weight: 4, arbitrary: bytes }, { weight: 4, arbitrary: tree });
}
