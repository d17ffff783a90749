// The names an expression may mention (PATH_TYPES in the IR) and the nearest-name hint
// for misspellings.

import { PATH_TYPES, type PathName } from '../ir/types.js';

const ALL_NAMES = Object.keys(PATH_TYPES) as PathName[];

export function isPathName(name: string): name is PathName {
  return Object.prototype.hasOwnProperty.call(PATH_TYPES, name);
}

/** `signature.*` names describe one signature and exist only in `require.expr`. */
export function isSignatureName(name: string): boolean {
  return name === 'signature' || name.startsWith('signature.');
}

/** The known name closest to `name` by edit distance, if it is plausibly a misspelling. */
export function nearestName(name: string, allowSignature: boolean): PathName | null {
  let best: PathName | null = null;
  let bestDistance = Infinity;
  for (const candidate of ALL_NAMES) {
    if (!allowSignature && isSignatureName(candidate)) continue;
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  // A hint far from what was written is noise.
  const limit = Math.max(2, Math.ceil(name.length / 2));
  return bestDistance <= limit ? best : null;
}

/** Levenshtein distance (two-row table). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = row;
  }
  return prev[b.length]!;
}
