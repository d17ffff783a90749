// The per-signature checks of one policy (docs/ir.md "The decision", steps 5–8) as a chain
// of foreach context variables, each a JMESPath expression over the one before:
//   atcrSigs0      every signature with `ok` (valid, a DID, a readable signedAt)
//   atcrSigs       one record per signature: did, cause and a flag per failed check
//   atcrSigners    the distinct DIDs of qualifying signatures
//   atcrSatisfied  whether they reach minSignatures
//   atcrReasons    the violations as one human-readable string, for the deny message

import { CLOCK_SKEW_SECONDS } from '../../ir/decision.js';
import type { IRPolicy } from '../../ir/types.js';
import { formatDuration } from '../../expr/duration.js';
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

/** `[prefix, did, suffix]` joined, for every record the filter keeps. */
function perSignature(filter: string, prefix: string, suffix: string): string {
  return `map(&join(${strLit('')}, [${strLit(prefix)}, did, ${strLit(suffix)}]), atcrSigs[?${filter}])`;
}

function reasonsExpression(policy: IRPolicy): string {
  const p = policy.name;
  const req = policy.require;
  const lists = [
    `length(atcrSigs) == \`0\` && ${strListLit([`policy ${p} requires a signature and the image has none`])} || ${EMPTY_LIST}`,
    `map(&join(${strLit('')}, [${strLit('signature by ')}, did || ${strLit('(unknown)')}, ${strLit(' is invalid: ')}, cause || ${strLit('not verified or unreadable')}]), atcrSigs[?!ok])`,
    perSignature('ok && untrusted', '', ` is not trusted by policy ${p}`),
    ...(req.maxAgeSeconds === null
      ? []
      : [perSignature('ok && expired', 'signature by ', ` is older than ${formatDuration(req.maxAgeSeconds)} allowed by policy ${p}`)]),
    perSignature('ok && future', 'signature by ', ' is dated in the future'),
    ...(req.expr === null ? [] : [perSignature('ok && failed', 'signature by ', ` fails the condition of policy ${p}`)]),
    `length(atcrSigners) > \`0\` && [join(${strLit('')}, [${strLit(`policy ${p} needs ${req.minSignatures} distinct signers, has `)}, to_string(length(atcrSigners))])] || ${EMPTY_LIST}`,
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
