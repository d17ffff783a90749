// Helpers for engine tests: compile a policy from YAML text, build inputs and signatures.

import { compileText } from '../../src/lower/pipeline.js';
import { compileEngine, type Engine } from '../../src/engine/evaluate.js';
import type { IRDocument } from '../../src/ir/types.js';

export const NOW = '2026-11-25T12:00:00Z';

export function irOf(text: string): IRDocument {
  const c = compileText('p.yaml', text);
  if (!c.ir) throw new Error(`test policy does not compile: ${JSON.stringify(c.diagnostics)}`);
  return c.ir;
}

export function engineOf(text: string): Engine {
  return compileEngine(irOf(text));
}

export function sig(did: string, signedAt = '2026-11-20T00:00:00Z', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { valid: true, did, signedAt, ...extra };
}

export function input(image: string, signatures: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { image, now: NOW, signatures, ...extra };
}

/** The (code, did) pairs engines are compared on, in the decision's order. */
export function pairs(d: { violations: { code: string; did?: string }[] }): [string, string | undefined][] {
  return d.violations.map((v) => [v.code, v.did]);
}
