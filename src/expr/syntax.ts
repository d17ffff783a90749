// The syntax tree the parser builds: untyped, every node with its span in the expression
// text (UTF-16 offsets, `end` exclusive) so the checker can point at what is wrong.

import type { CompareOp } from '../ir/types.js';

export interface Span {
  start: number;
  end: number;
}

export type BinaryOp = CompareOp | 'in' | 'matches' | 'startsWith' | 'endsWith';

export type SyntaxNode = Span &
  (
    | { kind: 'string'; value: string }
    | { kind: 'number'; text: string }
    | { kind: 'duration'; text: string }
    | { kind: 'bool'; value: boolean }
    | { kind: 'list'; items: SyntaxNode[] }
    | { kind: 'path'; name: string }
    | { kind: 'binary'; op: BinaryOp; opSpan: Span; left: SyntaxNode; right: SyntaxNode }
    | { kind: 'and' | 'or'; args: SyntaxNode[] }
    | { kind: 'not'; arg: SyntaxNode }
    /** Kept so that `(a and b) and c` stays nested (see docs/expressions.md). */
    | { kind: 'paren'; inner: SyntaxNode }
  );
