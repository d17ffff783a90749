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

/** The spec's glob rules, written out independently: regex, target and specificity. */
export function specGlob(glob: string): { re: RegExp; withTag: boolean; spec: [number, number, number] } {
  let src = '';
  let literals = 0;
  let doubleStars = 0;
  let singles = 0;
  const chars = [...glob];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '*' && chars[i + 1] === '*') {
      src += '[\\s\\S]*';
      doubleStars++;
      i++;
    } else if (c === '*') {
      src += '[^/]*';
      singles++;
    } else if (c === '?') {
      src += '[^/]';
      singles++;
    } else {
      src += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      literals++;
    }
  }
  return { re: new RegExp(`^${src}$`, 'u'), withTag: glob.lastIndexOf(':') > glob.lastIndexOf('/'), spec: [literals, -doubleStars, -singles] };
}

