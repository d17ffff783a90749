// Decisions written as the JSON text `policy eval` prints for a batch: one decision per
// line inside an array, each exactly `escapeJsonText(JSON.stringify(decision))`, encoded as
// UTF-8 into one growing buffer (no join, no second encoding pass). Decisions without
// violations (the bulk of a batch) are written from parts made once: the opening of each
// policy's decision and the JSON literal of each DID. Anything else goes through
// JSON.stringify.

import type { Decision } from '../ir/decision.js';
import { escapeJsonText } from '../diagnostics/format.js';

/** Distinct strings remembered; past this, literals are made afresh. */
const MAX_LITERALS = 100_000;

export class DecisionWriter {
  private buf = Buffer.allocUnsafe(1 << 16);
  private len = 0;
  private count = 0;
  private readonly literals = new Map<string, string>();
  /** Per policy name: the text of a violation-free decision up to `"satisfiedBy":[`. */
  private readonly openings = new Map<string, { d: Decision; text: string }>();

  private literal(s: string): string {
    let l = this.literals.get(s);
    if (l === undefined) {
      l = escapeJsonText(JSON.stringify(s));
      if (this.literals.size < MAX_LITERALS) this.literals.set(s, l);
    }
    return l;
  }

  /** Field order is the engine's, and so JSON.stringify's: allowed, effect, policy, action, satisfiedBy, violations. */
  private opening(d: Decision): string {
    const key = d.policy ?? '';
    const o = this.openings.get(key);
    if (o && o.d.allowed === d.allowed && o.d.effect === d.effect && o.d.policy === d.policy && o.d.action === d.action) return o.text;
    const text = `{"allowed":${d.allowed},"effect":${this.literal(d.effect)},"policy":${d.policy === null ? 'null' : this.literal(d.policy)},"action":${d.action === null ? 'null' : this.literal(d.action)},"satisfiedBy":[`;
    if (this.openings.size < MAX_LITERALS) this.openings.set(key, { d, text });
    return text;
  }

  private reserve(bytes: number): void {
    const need = this.len + bytes;
    if (need > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(bigger, 0, 0, this.len);
      this.buf = bigger;
    }
  }

  /** Text not yet encoded: one encoding call per ~64 KiB, not per decision. */
  private pending = '';

  private put(s: string): void {
    this.pending += s;
    if (this.pending.length >= 1 << 16) this.flush();
  }

  private flush(): void {
    const s = this.pending;
    this.pending = '';
    this.reserve(s.length * 3); // a UTF-16 code unit takes at most 3 bytes of UTF-8
    this.len += this.buf.write(s, this.len, 'utf8');
  }

  add(d: Decision): void {
    this.put(this.count++ === 0 ? '[\n' : ',\n');
    if (d.violations.length > 0) {
      this.put(escapeJsonText(JSON.stringify(d)));
      return;
    }
    let s = this.opening(d);
    const by = d.satisfiedBy;
    for (let k = 0; k < by.length; k++) s += (k === 0 ? '' : ',') + this.literal(by[k]!);
    this.put(s + '],"violations":[]}');
  }

  /** The whole array, newline-terminated, as UTF-8. */
  finish(): Buffer {
    this.put(this.count === 0 ? '[]\n' : '\n]\n');
    this.flush();
    return this.buf.subarray(0, this.len);
  }
}
