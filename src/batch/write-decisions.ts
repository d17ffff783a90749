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
const OPEN_ARRAY = utf8('[\n');
const SEPARATOR = utf8(',\n');
const COMMA = utf8(',');
const CLOSE_DECISION = utf8('],"violations":[]}');

export class DecisionWriter {
  private buf = Buffer.allocUnsafe(1 << 20);
  private len = 0;
  private count = 0;
  private readonly literals = new Map<string, Buffer>();
  private readonly scratch: Buffer[] = [];
  /** Per policy name: a violation-free decision up to `"satisfiedBy":[`. */
  private readonly openings = new Map<string, { d: Decision; bytes: Buffer }>();

  private literal(s: string): Buffer {
    let l = this.literals.get(s);
    if (l === undefined) {
      l = utf8(escapeJsonText(JSON.stringify(s)));
      if (this.literals.size < MAX_LITERALS) this.literals.set(s, l);
    }
    return l;
  }

  /** Field order is the engine's, and so JSON.stringify's: allowed, effect, policy, action, satisfiedBy, violations. */
  private opening(d: Decision): Buffer {
    const key = d.policy ?? '';
    const o = this.openings.get(key);
    if (o && o.d.allowed === d.allowed && o.d.effect === d.effect && o.d.policy === d.policy && o.d.action === d.action) return o.bytes;
    const lit = (s: string | null) => (s === null ? 'null' : escapeJsonText(JSON.stringify(s)));
    const bytes = utf8(`{"allowed":${d.allowed},"effect":${lit(d.effect)},"policy":${lit(d.policy)},"action":${lit(d.action)},"satisfiedBy":[`);
    if (this.openings.size < MAX_LITERALS) this.openings.set(key, { d, bytes });
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
    this.reserve(2);
    this.copy(this.count++ === 0 ? OPEN_ARRAY : SEPARATOR);
    if (d.violations.length > 0) {
      this.text(escapeJsonText(JSON.stringify(d)));
      return;
    }
    const opening = this.opening(d);
    const by = d.satisfiedBy;
    const lits = this.scratch;
    let size = opening.length + CLOSE_DECISION.length;
    for (let k = 0; k < by.length; k++) size += (lits[k] = this.literal(by[k]!)).length + 1;
    this.reserve(size);
    this.copy(opening);
    for (let k = 0; k < by.length; k++) {
      if (k > 0) this.copy(COMMA);
      this.copy(lits[k]!);
    }
    this.copy(CLOSE_DECISION);
  }

  /** The whole array, newline-terminated, as UTF-8. */
  finish(): Buffer {
    this.text(this.count === 0 ? '[]\n' : '\n]\n');
    return this.buf.subarray(0, this.len);
  }
}
