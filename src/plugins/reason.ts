// The one sentence a host shows for a verdict: what was decided about which image, and
// why, from an Outcome (kernel.ts). Signers' DIDs, handles and messages came from the
// network and are escaped by the caller (text.ts) with the rest of the line.

import type { SignatureFact } from '../ir/decision.js';
import type { Outcome } from './kernel.js';

export type Verdict = 'allow' | 'deny' | 'undecided';

export function verdictOf(o: Outcome): Verdict {
  if (o.verified) return 'allow';
  return o.unavailable ? 'undecided' : 'deny';
}

function signer(s: SignatureFact): string {
  return s.handle ? `${s.did} (${s.handle})` : s.did || '(unknown signer)';
}

function signatureSummary(list: SignatureFact[]): string {
  const valid = list.filter((s) => s.valid);
  const invalid = list.filter((s) => !s.valid);
  const parts: string[] = [];
  if (valid.length > 0) parts.push(`valid: ${valid.map(signer).join(', ')}`);
  if (invalid.length > 0) parts.push(`invalid: ${invalid.map((s) => `${signer(s)} ${s.error?.code ?? 'invalid'}: ${s.error?.message ?? ''}`).join('; ')}`);
  return `${list.length} signature${list.length === 1 ? '' : 's'} (${parts.join('; ')})`;
}

export function outcomeReason(o: Outcome): string {
  const verdict = verdictOf(o);
  const head = verdict === 'allow' ? 'allowed' : verdict === 'deny' ? 'denied' : 'could not decide, refusing';
  const via = o.server ? ` [answered by ${o.server}]` : '';
  if (o.error) return `${head} ${o.image}: ${o.error.message}${via}`;
  const why: string[] = [];
  if (o.decision) {
    const d = o.decision;
    why.push(`policy ${d.policy ?? '(none matched)'}: ${d.effect}${d.allowed ? '' : ' (denied)'}`);
    for (const v of d.violations) why.push(`${v.code}: ${v.message}`);
  }
  why.push(o.signatures.length === 0 ? 'no ATProto signatures found' : signatureSummary(o.signatures));
  if (!o.decision && verdict !== 'allow' && o.signatures.length > 0) why.unshift('no valid ATProto signature');
  for (const n of o.notes) why.push(`note: ${n}`);
  const image = o.image.includes('@') || !o.digest ? o.image : `${o.image}@${o.digest}`;
  return `${head} ${image}: ${why.join('; ')}${via}`;
}
