// Decisions written as the JSON text `policy eval` prints for a batch: one decision per
// line inside an array, each exactly `escapeJsonText(JSON.stringify(decision))`, as UTF-8
// in one growing buffer. Decisions without violations (the bulk of a batch) are copied
// together from bytes made once: the opening of each policy's decision and the JSON
// literal of each DID. Anything else goes through JSON.stringify.

import type { Decision } from '../ir/decision.js';
import { escapeJsonText } from '../diagnostics/format.js';

/** Distinct strings remembered; past this, literals are made afresh. */
const MAX_LITERALS = 100_000;

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
const SEPARATOR = utf8(',\n');
const COMMA = utf8(',');
const CLOSE_DECISION = utf8('],"violations":[]}');

/** Whole violation-free decisions, by their `satisfiedBy` DIDs in order: a trie per opening. */
interface Whole {
  bytes: Buffer | null;
  next: Map<string, Whole> | null;
}

interface Opening {
  d: Decision;
  bytes: Buffer;
  wholes: Whole;
}

export class DecisionWriter {
  private buf: Buffer;
  private len = 0;
  private count = 0;
  private readonly literals = new Map<string, Buffer>();
  /** Per policy name: a violation-free decision up to `"satisfiedBy":[`, and the whole ones made so far. */
  private readonly openings = new Map<string, Opening>();
  /** Whole decisions remembered, across all openings. */
  private remembered = 0;

  /**
   * @param expected bytes the output will likely take: reserved at once (not touched until
   *   written), so a large batch does not regrow and copy its output.
   */
  constructor(expected = 0) {
    this.buf = Buffer.allocUnsafe(Math.max(expected, 1 << 16));
  }

  private literal(s: string): Buffer {
    let l = this.literals.get(s);
    if (l === undefined) {
      l = utf8(escapeJsonText(JSON.stringify(s)));
      if (this.literals.size < MAX_LITERALS) this.literals.set(s, l);
    }
    return l;
  }

  /** Field order is the engine's, and so JSON.stringify's: allowed, effect, policy, action, satisfiedBy, violations. */
  private opening(d: Decision): Opening {
    const key = d.policy ?? '';
    const o = this.openings.get(key);
    if (o && o.d.allowed === d.allowed && o.d.effect === d.effect && o.d.policy === d.policy && o.d.action === d.action) return o;
    const lit = (s: string | null) => (s === null ? 'null' : escapeJsonText(JSON.stringify(s)));
    const bytes = utf8(`{"allowed":${d.allowed},"effect":${lit(d.effect)},"policy":${lit(d.policy)},"action":${lit(d.action)},"satisfiedBy":[`);
    const made: Opening = { d, bytes, wholes: { bytes: null, next: null } };
    if (this.openings.size < MAX_LITERALS) this.openings.set(key, made);
    return made;
  }

  /** A violation-free decision's bytes after `,\n`: remembered per opening and signers, or made now. */
  private whole(d: Decision): Buffer {
    const o = this.opening(d);
    const by = d.satisfiedBy;
    let node: Whole | null = o.wholes;
    for (let k = 0; k < by.length && node !== null; k++) {
      let next: Whole | undefined = node.next?.get(by[k]!);
      if (next === undefined && this.remembered < MAX_LITERALS) {
        next = { bytes: null, next: null };
        (node.next ??= new Map()).set(by[k]!, next);
        this.remembered++;
      }
      node = next ?? null;
    }
    if (node?.bytes) return node.bytes;
    const parts: Buffer[] = [SEPARATOR, o.bytes];
    for (let k = 0; k < by.length; k++) parts.push(k === 0 ? this.literal(by[k]!) : Buffer.concat([COMMA, this.literal(by[k]!)]));
    parts.push(CLOSE_DECISION);
    const bytes = Buffer.concat(parts);
    if (node) node.bytes = bytes;
    return bytes;
  }

  private reserve(bytes: number): void {
    const need = this.len + bytes;
    if (need > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(bigger, 0, 0, this.len);
      this.buf = bigger;
    }
  }

  /** Copies bytes already reserved. */
  private copy(bytes: Uint8Array): void {
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  private text(s: string): void {
    this.reserve(s.length * 3); // a UTF-16 code unit takes at most 3 bytes of UTF-8
    this.len += this.buf.write(s, this.len, 'utf8');
  }

  add(d: Decision): void {
    const first = this.count++ === 0;
    if (d.violations.length > 0) {
      this.text(first ? '[\n' : ',\n');
      this.text(escapeJsonText(JSON.stringify(d)));
      return;
    }
    let bytes = this.whole(d);
    if (first) {
      this.text('[\n');
      bytes = bytes.subarray(SEPARATOR.length);
    }
    this.reserve(bytes.length);
    this.copy(bytes);
  }

  /** The whole array, newline-terminated, as UTF-8. */
  finish(): Buffer {
    this.text(this.count === 0 ? '[]\n' : '\n]\n');
    return this.buf.subarray(0, this.len);
  }
}
