// fast-check generators of well-typed IRExpr trees, built the way the type checker
// would build them (n-ary and/or with at least two arguments, globs compiled by the
// scope compiler), for the print/parse round-trip property.

import fc from 'fast-check';
import { MAX_DURATION_SECONDS } from '../../src/expr/duration.js';
import type { ExprContext } from '../../src/expr/index.js';
import { compileScope } from '../../src/glob/glob.js';
import { PATH_TYPES, type CompareOp, type IRExpr, type PathName } from '../../src/ir/types.js';

/** String values: any code points but line breaks (a string literal cannot hold them). */
const stringValue = fc
  .oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ unit: fc.constantFrom('"', '\\', 'a', ' ', '\t', '*'), maxLength: 8 }))
  .map((s) => s.replace(/[\r\n]/g, ''));

const globText = fc
  .string({ unit: fc.constantFrom('a', 'z', '0', '/', '.', ':', '-', '_', '*', '?', '"', 'é', '😀'), minLength: 1, maxLength: 16 })
  .filter((g) => 'scope' in compileScope(g));

function pathsOf(type: string, context: ExprContext): PathName[] {
  return (Object.keys(PATH_TYPES) as PathName[]).filter(
    (p) => PATH_TYPES[p] === type && (context === 'require' || !p.startsWith('signature.')),
  );
}

export function irExpr(context: ExprContext): fc.Arbitrary<IRExpr> {
  const stringPaths = pathsOf('string', context);
  const durationPaths = pathsOf('duration', context);

  const stringExpr: fc.Arbitrary<IRExpr> = fc.oneof(
    stringValue.map((value): IRExpr => ({ kind: 'string', type: 'string', value })),
    fc.constantFrom(...stringPaths).map((path): IRExpr => ({ kind: 'path', type: 'string', path })),
  );
  const numberExpr: fc.Arbitrary<IRExpr> = fc
    .oneof(fc.nat(), fc.double({ min: 0, max: 1e300, noNaN: true, noDefaultInfinity: true }), fc.double({ min: 0, max: 1e-3, noNaN: true }))
    .map((v): IRExpr => ({ kind: 'number', type: 'number', value: v + 0 }));
  const durationLiteral = fc
    .integer({ min: 1, max: MAX_DURATION_SECONDS })
    .map((seconds): IRExpr => ({ kind: 'duration', type: 'duration', seconds }));
  const durationExpr: fc.Arbitrary<IRExpr> =
    durationPaths.length > 0
      ? fc.oneof(durationLiteral, fc.constantFrom(...durationPaths).map((path): IRExpr => ({ kind: 'path', type: 'duration', path })))
      : durationLiteral;
  const listExpr: fc.Arbitrary<IRExpr> = fc.array(stringExpr, { maxLength: 4 }).map((items): IRExpr => ({ kind: 'list', type: 'list', items }));

  const eqOp = fc.constantFrom<CompareOp>('==', '!=');
  const anyOp = fc.constantFrom<CompareOp>('==', '!=', '<', '<=', '>', '>=');

  const { bool } = fc.letrec<{ bool: IRExpr }>((tie) => {
    const boolExpr = tie('bool');
    const sameType = (a: fc.Arbitrary<IRExpr>, op: fc.Arbitrary<CompareOp>) =>
      fc.tuple(op, a, a).map(([o, left, right]): IRExpr => ({ kind: 'compare', type: 'bool', op: o, operandType: left.type, left, right }));
    const nary = (kind: 'and' | 'or') =>
      fc.array(boolExpr, { minLength: 2, maxLength: 3 }).map((args): IRExpr => ({ kind, type: 'bool', args }));
    return {
      bool: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.boolean().map((value): IRExpr => ({ kind: 'bool', type: 'bool', value })),
        sameType(stringExpr, eqOp),
        sameType(numberExpr, anyOp),
        sameType(durationExpr, anyOp),
        sameType(listExpr, eqOp),
        sameType(boolExpr, eqOp),
        fc.tuple(stringExpr, listExpr).map(([left, right]): IRExpr => ({ kind: 'in', type: 'bool', left, right })),
        fc.tuple(stringExpr, globText).map(([left, glob]): IRExpr => {
          const c = compileScope(glob);
          if (!('scope' in c)) throw new Error('filtered above');
          return { kind: 'matches', type: 'bool', left, glob, regex: c.scope.regex };
        }),
        fc
          .tuple(fc.constantFrom<'startsWith' | 'endsWith'>('startsWith', 'endsWith'), stringExpr, stringExpr)
          .map(([kind, left, right]): IRExpr => ({ kind, type: 'bool', left, right })),
        nary('and'),
        nary('or'),
        boolExpr.map((arg): IRExpr => ({ kind: 'not', type: 'bool', arg })),
      ),
    };
  });
  return bool;
}
