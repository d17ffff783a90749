// A decision input reduced to what engines read (the fields of read-inputs.ts), as a
// plain JSON object. An engine that converts its whole input (OPA's JavaScript SDK walks
// it recursively into WebAssembly memory) then sees nothing deeper than four levels, so
// nesting in a field no engine reads cannot crash it: every engine decides every input
// the CLI accepts. The decision is unchanged: read-inputs.ts's rules, which test/batch
// checks against the decision on JSON.parse's object (a value of the wrong type is absent,
// `now` of the wrong type is null, `valid` is true only for `true`).

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function copyStrings(from: Json, to: Json, keys: readonly string[]): void {
  for (const k of keys) if (typeof from[k] === 'string') to[k] = from[k];
}

const SIGNATURE_STRINGS = ['did', 'signedAt', 'handle', 'pds', 'algorithm'] as const;

function projectSignature(s: unknown): Json | null {
  if (!isObject(s)) return null;
  const out: Json = {};
  if (s.valid === true) out.valid = true;
  copyStrings(s, out, SIGNATURE_STRINGS);
  if (isObject(s.error)) out.error = typeof s.error.code === 'string' ? { code: s.error.code } : {};
  return out;
}

/** The input as engines read it; a non-object stays a value of its kind, emptied. */
export function projectInput(input: unknown): unknown {
  if (!isObject(input)) return Array.isArray(input) ? [] : input;
  const out: Json = {};
  copyStrings(input, out, ['image', 'owner']);
  if (input.now !== undefined) out.now = typeof input.now === 'string' ? input.now : null;
  if (Array.isArray(input.signatures)) out.signatures = input.signatures.map(projectSignature);
  return out;
}
