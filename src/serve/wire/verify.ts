// The plain verify API's answer for one image (docs/serve.md): `verify --output json`,
// decided by the service's policy when it has one; a lookup that failed is the CLI's
// failure object. Its request body is Kyverno's `{"images": [...]}` (factsImages).

import type { IRDocument } from '../../ir/types.js';
import { failureJson, outcomeJson, outcomeOf, type VerificationJson } from '../../verification/decide.js';
import type { FactsResult } from '../facts.js';

export function verifyJson(image: string, r: FactsResult, ms: number, policy: IRDocument | null): VerificationJson {
  if (!r.ok) return failureJson(image, { kind: r.kind === 'refused' ? 'usage' : r.kind === 'deadline' ? 'unavailable' : r.kind, message: r.message }, false, ms);
  return outcomeJson(image, outcomeOf(image, r.facts, policy ? { policy } : {}), ms);
}
