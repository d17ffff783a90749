// Exhaustive switches: a `default:` that calls this fails to type-check when a new kind
// is added to a union and a switch forgets it.

export function assertNever(value: never, what = 'value'): never {
  throw new Error(`internal error: unexpected ${what} ${JSON.stringify(value)}`);
}
