// The violation messages of docs/ir.md "Messages", written once. The native engine
// renders them with renderMessage; the Rego, Kyverno and WebAssembly back ends render the
// same templates into their own languages (concat, join, the runtime's generated
// constants), so the wording cannot drift between engines.

/** One message per situation (invalid-image has two). */
export type MessageKey =
  | 'unparseable-image'
  | 'malformed-input'
  | 'no-matching-policy'
  | 'no-signatures'
  | 'invalid-signature'
  | 'untrusted-did'
  | 'signature-expired'
  | 'signature-from-future'
  | 'condition-failed'
  | 'insufficient-signatures';

/**
 * The values a template names: `image` the input reference as JSON text, `what` a
 * MALFORMED_INPUT reason, `label` name[:tag][@digest] of the normalized reference,
 * `signer` a DID or UNKNOWN_SIGNER, `cause` the kernel's code or an INVALID_REASON,
 * `maxAge` formatDuration of maxAge, `min` minSignatures and `count` the distinct signers.
 */
export type MessageSlot = 'image' | 'what' | 'label' | 'policy' | 'signer' | 'cause' | 'maxAge' | 'min' | 'count';

export const MESSAGE_TEMPLATES: Readonly<Record<MessageKey, string>> = {
  'unparseable-image': 'image reference {image} does not parse',
  'malformed-input': 'the input is malformed: {what}',
  'no-matching-policy': 'no policy applies to {label}',
  'no-signatures': 'policy {policy} requires a signature and the image has none',
  'invalid-signature': 'signature by {signer} is invalid: {cause}',
  'untrusted-did': '{signer} is not trusted by policy {policy}',
  'signature-expired': 'signature by {signer} is older than {maxAge} allowed by policy {policy}',
  'signature-from-future': 'signature by {signer} is dated in the future',
  'condition-failed': 'signature by {signer} fails the condition of policy {policy}',
  'insufficient-signatures': 'policy {policy} needs {min} distinct signers, has {count}',
};

/** The signer of an invalid signature without a DID. */
export const UNKNOWN_SIGNER = '(unknown)';

/** The cause of an invalid signature without a kernel error code. */
export const INVALID_REASON = { unreadable: 'unreadable', unverified: 'not verified' } as const;

/** What makes an input malformed, checked in this order (docs/ir.md "Input reading"). */
export const MALFORMED_INPUT = {
  object: 'it must be an object',
  image: '`image` must be a string',
  now: '`now` must be an RFC 3339 time',
  signatures: '`signatures` must be an array',
} as const;

export type MessagePart = { text: string } | { slot: MessageSlot };

const SLOT = /\{([a-zA-Z]+)\}/gu;

const PARTS = new Map<MessageKey, MessagePart[]>();

/** A template as literal text and slots, in order; text parts are never empty. */
export function messageParts(key: MessageKey): MessagePart[] {
  const cached = PARTS.get(key);
  if (cached) return cached;
  const template = MESSAGE_TEMPLATES[key];
  const parts: MessagePart[] = [];
  let at = 0;
  for (const m of template.matchAll(SLOT)) {
    if (m.index > at) parts.push({ text: template.slice(at, m.index) });
    parts.push({ slot: m[1] as MessageSlot });
    at = m.index + m[0].length;
  }
  if (at < template.length) parts.push({ text: template.slice(at) });
  PARTS.set(key, parts);
  return parts;
}

/** The slots of a template, in order. */
export function messageSlots(key: MessageKey): MessageSlot[] {
  return messageParts(key).flatMap((p) => ('slot' in p ? [p.slot] : []));
}

/** Renders a message with the values of its slots (as text). */
export function renderMessage(key: MessageKey, values: Partial<Record<MessageSlot, string>>): string {
  return messageParts(key)
    .map((p) => {
      if ('text' in p) return p.text;
      const v = values[p.slot];
      if (v === undefined) throw new Error(`internal error: message ${key} needs ${p.slot}`);
      return v;
    })
    .join('');
}

/**
 * A template in another language: each text part through `literal`, each slot through
 * `term` (which must know every slot the template names), joined by `join`.
 */
export function renderMessageIn(
  key: MessageKey,
  literal: (text: string) => string,
  terms: Partial<Record<MessageSlot, string>>,
  join: (parts: string[]) => string,
): string {
  return join(
    messageParts(key).map((p) => {
      if ('text' in p) return literal(p.text);
      const t = terms[p.slot];
      if (t === undefined) throw new Error(`internal error: message ${key} needs a term for ${p.slot}`);
      return t;
    }),
  );
}
