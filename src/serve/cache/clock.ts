// Time for expiry decisions. Wall-clock milliseconds, because Redis entries carry an
// absolute expiry that every replica must read the same way; tests pass a fake.

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
