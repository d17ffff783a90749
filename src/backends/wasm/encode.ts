// IR → the compact binary form the runtime reads in place (layout: runtime/ir.ts and
// docs/compile-wasm.md). Strings are stored as UTF-16 so the runtime compares them with
// input strings unit for unit; globs become token programs; expressions become nodes.

import { CompileError, checkIrVersion } from '../artifact.js';
import { assertNever } from '../../ir/never.js';
import type { ExprType, IRDocument, IRExpr, IRPolicy, PathName } from '../../ir/types.js';
import { formatDuration } from '../../ir/duration.js';
import { writeScopeIndex, type IndexedScope } from './scope-table.js';
import { Blob } from './blob.js';
import {
  ACTION_CODES,
  EXPR_CODES,
  HEADER_FIELDS,
  OP_CODES,
  PATH_CODES,
  POLICY_FIELDS,
  TYPE_CODES,
  UNMATCHED_CODES,
  WASM_IR_FORMAT_VERSION,
  WASM_IR_HEADER_SIZE,
  WASM_IR_MAGIC,
  WASM_IR_POLICY_SIZE,
} from '../../ir/wasm-layout.js';

const MAGIC = WASM_IR_MAGIC;
const HEADER_SIZE = WASM_IR_HEADER_SIZE;
const POLICY_SIZE = WASM_IR_POLICY_SIZE;
const MAX_EXPR_DEPTH = 1000;

const STAR = -1;
const DOUBLE_STAR = -2;
const QUESTION = -3;

const ACTIONS = ACTION_CODES;
const UNMATCHED = UNMATCHED_CODES;
const OPS = OP_CODES;
const TYPES = TYPE_CODES;
const PATHS = PATH_CODES;
const E = EXPR_CODES;
const P = POLICY_FIELDS;
const H = HEADER_FIELDS;


class Encoder {
  readonly blob = new Blob();
  private strings = new Map<string, number>();
  private globs = new Map<string, { at: number; prefix: string }>();

  constructor() {
    this.blob.reserve(HEADER_SIZE);
  }

  /** A string as (offset, length in UTF-16 units); equal strings share storage. */
  string(s: string): [number, number] {
    let at = this.strings.get(s);
    if (at === undefined) {
      at = this.blob.reserve(Math.max(s.length * 2, 2), 2);
      for (let i = 0; i < s.length; i++) this.blob.u16At(at + i * 2, s.charCodeAt(i));
      this.strings.set(s, at);
    }
    return [at, s.length];
  }

  /** A glob's token program (count, prefix count, suffix count, tokens) and its literal prefix. */
  glob(glob: string, policy: string): { at: number; prefix: string } {
    const known = this.globs.get(glob);
    if (known !== undefined) return known;
    const tokens: number[] = [];
    const chars = Array.from(glob);
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (c === '*') {
        if (chars[i + 1] === '*') {
          tokens.push(DOUBLE_STAR);
          i++;
        } else tokens.push(STAR);
      } else if (c === '?') tokens.push(QUESTION);
      else tokens.push(c.codePointAt(0)!);
    }
    if (tokens.length === 0) throw new CompileError(`policy ${policy}: empty glob`, policy);
    let prefix = 0;
    while (prefix < tokens.length && tokens[prefix]! >= 0) prefix++;
    let suffix = 0;
    if (prefix < tokens.length) while (tokens[tokens.length - 1 - suffix]! >= 0) suffix++;
    const at = this.blob.words([tokens.length, prefix, suffix, ...tokens]);
    const entry = { at, prefix: String.fromCodePoint(...tokens.slice(0, prefix)) };
    this.globs.set(glob, entry);
    return entry;
  }

  expr(e: IRExpr, want: ExprType, policy: string, depth = 0): number {
    if (depth > MAX_EXPR_DEPTH) {
      throw new CompileError(`policy ${policy}: expression nested deeper than ${MAX_EXPR_DEPTH}`, policy);
    }
    const bad = (): never => {
      throw new CompileError(`policy ${policy}: a ${e.kind} expression where a ${want} is expected`, policy);
    };
    const sub = (x: IRExpr, t: ExprType) => this.expr(x, t, policy, depth + 1);
    switch (e.kind) {
      case 'string': {
        if (want !== 'string') bad();
        const [off, len] = this.string(e.value);
        return this.blob.words([E.string, off, len]);
      }
      case 'number': {
        if (want !== 'number') bad();
        const at = this.blob.reserve(16, 8);
        this.blob.u32At(at, E.number);
        this.blob.f64At(at + 8, e.value);
        return at;
      }
      case 'bool':
        if (want !== 'bool') bad();
        return this.blob.words([E.bool, e.value ? 1 : 0]);
      case 'duration': {
        if (want !== 'duration') bad();
        const at = this.blob.reserve(16, 8);
        this.blob.u32At(at, E.duration);
        this.blob.f64At(at + 8, e.seconds);
        return at;
      }
      case 'list': {
        if (want !== 'list') bad();
        const items = e.items.map((x) => sub(x, 'string'));
        return this.blob.words([E.list, items.length, ...items]);
      }
      case 'path': {
        const type = e.path === 'signature.age' ? 'duration' : 'string';
        if (want !== type || !(e.path in PATHS)) bad();
        return this.blob.words([E.path, PATHS[e.path]]);
      }
      case 'compare': {
        if (want !== 'bool' || !(e.op in OPS) || !(e.operandType in TYPES)) bad();
        const left = sub(e.left, e.operandType);
        const right = sub(e.right, e.operandType);
        return this.blob.words([E.compare, OPS[e.op], TYPES[e.operandType], left, right]);
      }
      case 'in': {
        if (want !== 'bool') bad();
        const left = sub(e.left, 'string');
        const right = sub(e.right, 'list');
        return this.blob.words([E.in, left, right]);
      }
      case 'matches': {
        if (want !== 'bool') bad();
        const left = sub(e.left, 'string');
        return this.blob.words([E.matches, left, this.glob(e.glob, policy).at]);
      }
      case 'startsWith':
      case 'endsWith': {
        if (want !== 'bool') bad();
        const left = sub(e.left, 'string');
        const right = sub(e.right, 'string');
        return this.blob.words([E[e.kind], left, right]);
      }
      case 'and':
      case 'or': {
        if (want !== 'bool') bad();
        const args = e.args.map((x) => sub(x, 'bool'));
        return this.blob.words([E[e.kind], args.length, ...args]);
      }
      case 'not': {
        if (want !== 'bool') bad();
        return this.blob.words([E.not, sub(e.arg, 'bool')]);
      }
      default:
        return assertNever(e, 'expression');
    }
  }

  /** Writes a policy record; its scopes go to the scope index (scope-table.ts). */
  policy(p: IRPolicy, position: number): number {
    const name = this.string(p.name);
    const r = p.require;
    const maxAgeText = this.string(r.maxAgeSeconds === null ? '' : durationText(r.maxAgeSeconds));
    const when = p.when === null ? 0 : this.expr(p.when, 'bool', p.name);
    const expr = r.expr === null ? 0 : this.expr(r.expr, 'bool', p.name);
    const dids = r.trustedDIDs.flatMap((d) => this.string(d));
    const trusted = this.blob.words(dids);
    const at = this.blob.reserve(POLICY_SIZE, 8);
    const b = this.blob;
    b.u32At(at + P.name, name[0]);
    b.u32At(at + P.name + 4, name[1]);
    b.u32At(at + P.action, ACTIONS[p.action]);
    b.u32At(at + P.signature, r.signature ? 1 : 0);
    b.u32At(at + P.trustOwner, r.trustOwner ? 1 : 0);
    b.u32At(at + P.hasMaxAge, r.maxAgeSeconds === null ? 0 : 1);
    b.u32At(at + P.index, position);
    b.f64At(at + P.maxAge, r.maxAgeSeconds ?? 0);
    b.u32At(at + P.maxAgeText, maxAgeText[0]);
    b.u32At(at + P.maxAgeText + 4, maxAgeText[1]);
    b.u32At(at + P.when, when);
    b.u32At(at + P.expr, expr);
    b.u32At(at + P.trustedCount, r.trustedDIDs.length);
    b.u32At(at + P.trusted, trusted);
    // minSignatures as the number it is, and as JavaScript prints it for the message.
    b.f64At(at + P.minSignatures, r.minSignatures);
    const minText = this.string(String(r.minSignatures));
    b.u32At(at + P.minSignaturesText, minText[0]);
    b.u32At(at + P.minSignaturesText + 4, minText[1]);
    return at;
  }
}

/** maxAge as messages show it (the native engine's wording); any number is accepted. */
function durationText(seconds: number): string {
  return Number.isSafeInteger(seconds) && seconds >= 0 ? formatDuration(seconds) : `${seconds}s`;
}

function checkRank(p: IRPolicy): void {
  for (const s of p.scopes) {
    if (!Number.isInteger(s.rank) || s.rank < 0 || s.rank > 0x7fffffff) {
      throw new CompileError(`policy ${p.name}: scope ${s.glob} has no valid rank`, p.name);
    }
  }
}

/** Encodes a document; the result starts with the magic and its own length. */
export function encodeIr(ir: IRDocument): Uint8Array {
  checkIrVersion(ir);
  if (!(ir.unmatched in UNMATCHED)) throw new CompileError(`unknown unmatched value ${String(ir.unmatched)}`, null);
  const enc = new Encoder();
  const scopes: IndexedScope[] = [];
  ir.policies.forEach((p, index) => {
    checkRank(p);
    if (!(p.action in ACTIONS)) throw new CompileError(`policy ${p.name}: unknown action ${String(p.action)}`, p.name);
    const record = enc.policy(p, index);
    for (const s of p.scopes) {
      const glob = enc.glob(s.glob, p.name);
      scopes.push({ record, index, rank: s.rank, target: s.target === 'name-tag' ? 1 : 0, glob: glob.at, prefix: glob.prefix });
    }
  });
  const indexAt = writeScopeIndex(enc.blob, scopes, (t) => enc.string(t)[0]);
  enc.blob.align(8);
  const b = enc.blob;
  b.u32At(H.magic, MAGIC);
  b.u32At(H.length, b.length);
  b.u32At(H.version, WASM_IR_FORMAT_VERSION);
  b.u32At(H.unmatched, UNMATCHED[ir.unmatched]);
  b.u32At(H.policyCount, ir.policies.length);
  b.u32At(H.index, indexAt);
  return b.bytes();
}
