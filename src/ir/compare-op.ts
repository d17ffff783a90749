// What a comparison operator means for the sign of (left − right): shared by every back
// end that folds or evaluates comparisons, so they cannot drift apart.

import type { CompareOp } from './types.js';

export function holds(op: CompareOp, sign: number): boolean {
  switch (op) {
    case '==':
      return sign === 0;
    case '!=':
      return sign !== 0;
    case '<':
      return sign < 0;
    case '<=':
      return sign <= 0;
    case '>':
      return sign > 0;
    case '>=':
      return sign >= 0;
  }
}
