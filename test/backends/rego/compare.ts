// Comparing Rego decisions with native ones.

/**
 * The invalid-image message quotes the reference: JSON.stringify natively, Go's
 * json.Marshal in OPA, which also escapes < > & U+2028 U+2029 and some control
 * characters. For such references only the message text may differ.
 */
export function withoutQuotingDifferences(decision: any, input: unknown): unknown {
  const image = (input as { image?: unknown } | null)?.image;
  if (typeof image === 'string' && /[<>&\u0000-\u001f\u2028\u2029]/u.test(image)) {
    for (const v of decision?.violations ?? []) if (v.code === 'invalid-image') v.message = '(quoted reference)';
  }
  return decision;
}
