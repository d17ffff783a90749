// The closed list of lint rules (trust-policy.md "Lint rules"), with their severities.

import type { Severity } from './diagnostic.js';

export interface RuleInfo {
  severity: Severity;
  summary: string;
}

export const RULES: Readonly<Record<string, RuleInfo>> = {
  'yaml-syntax': { severity: 'error', summary: 'The file is not valid YAML (or is too large, too deep, or not UTF-8).' },
  schema: { severity: 'error', summary: 'The document does not follow the trust policy schema.' },
  'duplicate-policy-name': { severity: 'error', summary: 'Two policies have the same name.' },
  'unknown-parent': { severity: 'error', summary: 'A policy extends a policy that does not exist.' },
  'inheritance-cycle': { severity: 'error', summary: 'Policies extend each other in a cycle.' },
  'extends-cycle': { severity: 'error', summary: 'Documents extend each other in a cycle.' },
  'invalid-scope': { severity: 'error', summary: 'A scope glob uses a rejected character.' },
  'invalid-duration': { severity: 'error', summary: 'A duration is malformed, zero or too long.' },
  'invalid-did': { severity: 'error', summary: 'A trusted DID is not valid ATProto DID syntax.' },
  'expr-syntax': { severity: 'error', summary: 'An expression does not parse.' },
  'expr-type': { severity: 'error', summary: 'An expression is not well typed.' },
  'signature-in-when': { severity: 'error', summary: 'A `when` condition mentions signature fields.' },
  'trusts-any-did': { severity: 'warning', summary: 'A signature is required but any DID is trusted.' },
  'weakens-parent': { severity: 'warning', summary: 'A policy weakens what its parent requires.' },
  'overlapping-scopes': { severity: 'warning', summary: 'Two equally specific policies can match the same image.' },
  'unreachable-policy': { severity: 'warning', summary: 'Every image a policy matches is taken by a more specific one.' },
  'min-signatures-unreachable': { severity: 'error', summary: 'minSignatures exceeds the number of trusted DIDs: the policy can never be satisfied.' },
  'invalid-suppression': { severity: 'warning', summary: 'A suppression comment has no reason, an unknown rule, or a rule that cannot be suppressed.' },
  'analysis-budget': { severity: 'warning', summary: 'A scope analysis ran out of its work budget; its findings may be incomplete.' },
};
