// The per-signature checks of one policy (docs/ir.md "The decision", steps 5–8) as a chain
// of foreach context variables, each a JMESPath expression over the one before:
//   atcrSigs0      every signature with `ok` (valid, a DID, a readable signedAt)
//   atcrSigs       one record per signature: did, cause and a flag per failed check
//   atcrSigners    the distinct DIDs of qualifying signatures
//   atcrSatisfied  whether they reach minSignatures
//   atcrReasons    the violations as one human-readable string, for the deny message

import { CLOCK_SKEW_SECONDS } from '../../ir/decision.js';
import type { IRPolicy } from '../../ir/types.js';
import { formatDuration } from '../../ir/duration.js';
import { INVALID_REASON, UNKNOWN_SIGNER, renderMessageIn, type MessageKey, type MessageSlot } from '../../ir/messages.js';
import { EMPTY_LIST, FALSE, TRUE, and, jsonString, not, or, strListLit, strLit } from './jmespath-text.js';
import { compileBool, readString, signatureScope } from './expr.js';
import { FACTS } from './selection.js';
import { NOW_TEXT, READABLE_TIME_REGEX, shiftedNow } from './time.js';

export interface ContextVariable {
  name: string;
  variable: { jmesPath: string; default?: unknown };
}

/** A signature counts only when `valid` is the JSON value true, `did` is a non-empty string and `signedAt` reads. */
const READABLE = and([
  'valid == `true`',
  "type(did) == 'string'",
  `did != ${strLit('')}`,
  "type(signedAt) == 'string'",
  `regex_match(${strLit(READABLE_TIME_REGEX)}, signedAt)`,
]);

const SIGS0 = `${FACTS}.parseError == ${strLit('')} && type(${FACTS}.signatures) == 'array' && map(&{ok: ${READABLE}, s: @}, ${FACTS}.signatures[?@ != \`null\`]) || ${EMPTY_LIST}`;

function trustCheck(policy: IRPolicy): string {
  const { trustedDIDs, trustOwner } = policy.require;
  if (trustedDIDs.length === 0 && !trustOwner) return TRUE;
  const did = readString('s.did');
  const owner = readString('s.owner');
  const parts: string[] = [];
  if (trustedDIDs.length > 0) parts.push(`contains(${strListLit(trustedDIDs)}, ${did})`);
  if (trustOwner) parts.push(and([`${owner} != ${strLit('')}`, `${did} == ${owner}`]));
  return or(parts);
}

/** The record of one signature; time checks only run on readable ones (`ok &&`). */
function recordExpression(policy: IRPolicy): string {
  const req = policy.require;
  const future = `ok && time_after(s.signedAt, ${shiftedNow(NOW_TEXT, CLOCK_SKEW_SECONDS)})`;
  const expired =
    req.maxAgeSeconds === null ? FALSE : `ok && time_before(s.signedAt, ${shiftedNow(NOW_TEXT, -req.maxAgeSeconds)})`;
  const failed = req.expr === null ? FALSE : `ok && ${not(compileBool(req.expr, signatureScope('s')))}`;
  const fields = [
    'ok: ok',
    `did: ${readString('s.did')}`,
    `cause: ${readString('s.error.code')}`,
    `untrusted: ${not(trustCheck(policy))}`,
    `future: ${future}`,
    `expired: ${expired}`,
    `failed: ${failed}`,
  ];
  return `map(&{${fields.join(', ')}}, atcrSigs0)`;
}

const QUALIFIED = 'atcrSigs[?ok && !untrusted && !future && !expired && !failed].did';

/** A message of src/ir/messages.ts as a JMESPath string; `terms` are JMESPath for its slots. */
function message(key: MessageKey, terms: Partial<Record<MessageSlot, string>>): string {
  return renderMessageIn(key, strLit, terms, (parts) => `join(${strLit('')}, [${parts.join(', ')}])`);
}

/** The message for every record the filter keeps (the record's fields are in scope). */
function perSignature(filter: string, key: MessageKey, terms: Partial<Record<MessageSlot, string>>): string {
  return `map(&${message(key, terms)}, atcrSigs[?${filter}])`;
}

// Kyverno's records do not say why a signature is unusable, so both reasons are named.
const EITHER_REASON = `${INVALID_REASON.unverified} or ${INVALID_REASON.unreadable}`;

function reasonsExpression(policy: IRPolicy): string {
  const policyName = strLit(policy.name);
  const req = policy.require;
  const lists = [
    `length(atcrSigs) == \`0\` && [${message('no-signatures', { policy: policyName })}] || ${EMPTY_LIST}`,
    perSignature('!ok', 'invalid-signature', { signer: `did || ${strLit(UNKNOWN_SIGNER)}`, cause: `cause || ${strLit(EITHER_REASON)}` }),
    perSignature('ok && untrusted', 'untrusted-did', { signer: 'did', policy: policyName }),
    ...(req.maxAgeSeconds === null
      ? []
      : [perSignature('ok && expired', 'signature-expired', { signer: 'did', maxAge: strLit(formatDuration(req.maxAgeSeconds)), policy: policyName })]),
    perSignature('ok && future', 'signature-from-future', { signer: 'did' }),
    ...(req.expr === null ? [] : [perSignature('ok && failed', 'condition-failed', { signer: 'did', policy: policyName })]),
    `length(atcrSigners) > \`0\` && [${message('insufficient-signatures', {
      policy: policyName,
      min: strLit(String(req.minSignatures)),
      count: 'to_string(length(atcrSigners))',
    })}] || ${EMPTY_LIST}`,
  ];
  return `join(${strLit('; ')}, [${lists.join(', ')}][])`;
}

/**
 * `per(policy)` of the policy named by `atcrWinner`, among `policies` (else `fallback`).
 * Each value is wrapped in `{v: …}` so a false or empty value does not fall through `||`.
 */
function dispatch(policies: readonly IRPolicy[], per: (p: IRPolicy) => string, fallback: string): string {
  const arms = policies.map((p) => `atcrWinner == ${strLit(p.name)} && {v: ${per(p)}}`);
  return `(${[...arms, `{v: ${fallback}}`].join(' || ')}).v`;
}

/**
 * The foreach context variables that decide whether the winning policy — one of
 * `policies`, which share a failure action — is satisfied for one image. Each policy's
 * checks appear once, so the rule grows with the policies, not with their square.
 */
export function signatureVariables(policies: readonly IRPolicy[]): ContextVariable[] {
  const minimum = '`{' + policies.map((p) => `${jsonString(p.name)}:${p.require.minSignatures}`).join(',') + '}`';
  return [
    { name: 'atcrSigs0', variable: { jmesPath: SIGS0 } },
    { name: 'atcrSigs', variable: { jmesPath: dispatch(policies, recordExpression, EMPTY_LIST) } },
    { name: 'atcrSigners', variable: { jmesPath: `keys(object_from_lists(${QUALIFIED}, ${QUALIFIED}))` } },
    {
      name: 'atcrSatisfied',
      variable: { jmesPath: `length(atcrSigners) >= (lookup(${minimum}, atcrWinner) || \`1\`)` },
    },
    { name: 'atcrReasons', variable: { jmesPath: dispatch(policies, reasonsExpression, strLit('')) } },
  ];
}
