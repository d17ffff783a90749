// The names an expression may mention (PATH_TYPES in the IR) and the nearest-name hint
// for misspellings.

import { PATH_TYPES, type PathName } from '../ir/types.js';
import { nearest } from '../text/nearest.js';

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
  const candidates = allowSignature ? ALL_NAMES : ALL_NAMES.filter((n) => !isSignatureName(n));
  return nearest(name, candidates, Math.max(2, Math.ceil(name.length / 2)));
}
