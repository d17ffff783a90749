// The expression parser: Chevrotain tokens → syntax tree with spans. The grammar is the
// one in trust-policy.md "Expressions" (rule names mirror it: orExpr is `or`, compareOp is
// `op`); grammar/expr.ebnf is kept equal to it by a test. One parser instance is built at
// module load and reused, as Chevrotain's self-analysis is the expensive part.

import type { IParserErrorMessageProvider, IToken } from 'chevrotain';
import { EmbeddedActionsParser, EOF, tokenMatcher } from './chevrotain.js';
import type { BinaryOp, Span, SyntaxNode } from './syntax.js';
import * as T from './tokens.js';

/** Deepest nesting of `(`, `[` and `not`: keeps recursion far from the stack limit. */
export const MAX_DEPTH = 64;

export interface SyntaxError {
  message: string;
  start: number;
  end: number;
}

const OPERAND_DESCRIPTION = 'a string, number, duration, true, false, a list, a name or "("';

function found(tok: IToken): string {
  if (tok.tokenType === EOF) return 'the end of the expression';
  const image = tok.image.length > 30 ? `${tok.image.slice(0, 30)}…` : tok.image;
  // A string token already carries its quotes.
  return tokenMatcher(tok, T.STRING) ? `the string ${image}` : `"${image}"`;
}

function isCompareOp(tok: IToken): boolean {
  return T.compareOpTokens.some((t) => tokenMatcher(tok, t));
}

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    // After a list item either another item or the end of the list may follow.
    const wanted = expected === T.RBracket ? '"," or "]"' : (expected.LABEL ?? expected.name);
    return `expected ${wanted} but found ${found(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    if (isCompareOp(firstRedundant)) {
      return `comparisons do not chain: ${found(firstRedundant)} cannot follow a comparison; join comparisons with "and" / "or" or use parentheses`;
    }
    return `found ${found(firstRedundant)} after a complete expression: expected "and", "or" or the end of the expression`;
  },
  buildNoViableAltMessage({ actual, ruleName }) {
    const tok = actual[0]!;
    const wanted = ruleName === 'unary' ? `"not" or an operand (${OPERAND_DESCRIPTION})` : `an operand (${OPERAND_DESCRIPTION})`;
    return `expected ${wanted} but found ${found(tok)}`;
  },
  buildEarlyExitMessage({ actual }) {
    return `expected more but found ${found(actual[0]!)}`;
  },
};

class DepthError extends Error {
  constructor(readonly token: IToken) {
    super('nesting too deep');
  }
}

function tokenSpan(tok: IToken): Span {
  return { start: tok.startOffset, end: tok.startOffset + tok.image.length };
}

class ExprParser extends EmbeddedActionsParser {
  private depth = 0;

  constructor() {
    super(T.allTokens.filter((t) => t !== T.WhiteSpace), { errorMessageProvider: messages });
    this.performSelfAnalysis();
  }

  resetDepth(): void {
    this.depth = 0;
  }

  private enter(tok: IToken): void {
    this.depth += 1;
    if (this.depth > MAX_DEPTH) throw new DepthError(tok);
  }

  private leave(): void {
    this.depth -= 1;
  }

  public expr = this.RULE('expr', (): SyntaxNode => this.SUBRULE(this.orExpr));

  private orExpr = this.RULE('orExpr', (): SyntaxNode => {
    const args = [this.SUBRULE(this.andExpr)];
    this.MANY(() => {
      this.CONSUME(T.Or);
      args.push(this.SUBRULE2(this.andExpr));
    });
    return this.ACTION(() => chain('or', args));
  });

  private andExpr = this.RULE('andExpr', (): SyntaxNode => {
    const args = [this.SUBRULE(this.unary)];
    this.MANY(() => {
      this.CONSUME(T.And);
      args.push(this.SUBRULE2(this.unary));
    });
    return this.ACTION(() => chain('and', args));
  });

  private unary = this.RULE('unary', (): SyntaxNode =>
    this.OR([
      {
        ALT: () => {
          const not = this.CONSUME(T.Not);
          this.ACTION(() => this.enter(not));
          const arg = this.SUBRULE(this.unary);
          return this.ACTION(() => {
            this.leave();
            return { kind: 'not', arg, start: not.startOffset, end: arg.end } as SyntaxNode;
          });
        },
      },
      { ALT: () => this.SUBRULE(this.compare) },
    ]),
  );

  private compare = this.RULE('compare', (): SyntaxNode => {
    const left = this.SUBRULE(this.operand);
    let result = left;
    this.OPTION(() => {
      const op = this.SUBRULE(this.compareOp);
      const right = this.SUBRULE2(this.operand);
      this.ACTION(() => {
        result = { kind: 'binary', op: op.op, opSpan: op.span, left, right, start: left.start, end: right.end };
      });
    });
    return result;
  });

  private compareOp = this.RULE('compareOp', (): { op: BinaryOp; span: Span } => {
    const tok = this.OR(T.compareOpTokens.map((t) => ({ ALT: () => this.CONSUME(t) })));
    return this.ACTION(() => ({ op: tok.image as BinaryOp, span: tokenSpan(tok) }));
  });

  private operand = this.RULE('operand', (): SyntaxNode =>
    this.OR([
      {
        ALT: () => {
          const tok = this.CONSUME(T.STRING);
          return this.ACTION(() => ({ kind: 'string', value: unquote(tok.image), ...tokenSpan(tok) }) as SyntaxNode);
        },
      },
      {
        ALT: () => {
          const tok = this.CONSUME(T.NUMBER);
          return this.ACTION(() => ({ kind: 'number', text: tok.image, ...tokenSpan(tok) }) as SyntaxNode);
        },
      },
      {
        ALT: () => {
          const tok = this.CONSUME(T.DURATION);
          return this.ACTION(() => ({ kind: 'duration', text: tok.image, ...tokenSpan(tok) }) as SyntaxNode);
        },
      },
      {
        ALT: () => {
          const tok = this.CONSUME(T.True);
          return this.ACTION(() => ({ kind: 'bool', value: true, ...tokenSpan(tok) }) as SyntaxNode);
        },
      },
      {
        ALT: () => {
          const tok = this.CONSUME(T.False);
          return this.ACTION(() => ({ kind: 'bool', value: false, ...tokenSpan(tok) }) as SyntaxNode);
        },
      },
      { ALT: () => this.SUBRULE(this.list) },
      { ALT: () => this.SUBRULE(this.path) },
      {
        ALT: () => {
          const open = this.CONSUME(T.LParen);
          this.ACTION(() => this.enter(open));
          const inner = this.SUBRULE(this.expr);
          const close = this.CONSUME(T.RParen);
          return this.ACTION(() => {
            this.leave();
            return { kind: 'paren', inner, start: open.startOffset, end: close.startOffset + 1 } as SyntaxNode;
          });
        },
      },
    ]),
  );

  private list = this.RULE('list', (): SyntaxNode => {
    const open = this.CONSUME(T.LBracket);
    this.ACTION(() => this.enter(open));
    const items: SyntaxNode[] = [];
    this.OPTION(() => {
      items.push(this.SUBRULE(this.operand));
      this.MANY(() => {
        this.CONSUME(T.Comma);
        items.push(this.SUBRULE2(this.operand));
      });
    });
    const close = this.CONSUME(T.RBracket);
    return this.ACTION(() => {
      this.leave();
      return { kind: 'list', items, start: open.startOffset, end: close.startOffset + 1 } as SyntaxNode;
    });
  });

  private path = this.RULE('path', (): SyntaxNode => {
    const first = this.CONSUME(T.IDENT);
    const segments = [first];
    this.MANY(() => {
      this.CONSUME(T.Dot);
      segments.push(this.CONSUME2(T.IDENT));
    });
    return this.ACTION(() => {
      const last = segments[segments.length - 1]!;
      const name = segments.map((t) => t.image).join('.');
      return { kind: 'path', name, start: first.startOffset, end: last.startOffset + last.image.length } as SyntaxNode;
    });
  });
}

/** A single operand stays itself; two or more become one n-ary node, left to right. */
function chain(kind: 'and' | 'or', args: SyntaxNode[]): SyntaxNode {
  if (args.length === 1) return args[0]!;
  return { kind, args, start: args[0]!.start, end: args[args.length - 1]!.end };
}

/** The lexer admits only `\"` and `\\`, so unescaping is one replace. */
function unquote(image: string): string {
  return image.slice(1, -1).replace(/\\(["\\])/g, '$1');
}

const parser = new ExprParser();

/** The parser's grammar, for grammar/ (diagrams and the EBNF drift test). */
export function serializedGrammar(): ReturnType<ExprParser['getSerializedGastProductions']> {
  return parser.getSerializedGastProductions();
}

/** Parses lexed tokens (without skipped and bad tokens) of `text`. */
export function parseTokens(tokens: IToken[], text: string): { tree: SyntaxNode } | { error: SyntaxError } {
  parser.input = tokens;
  parser.resetDepth();
  let tree: SyntaxNode;
  try {
    tree = parser.expr();
  } catch (e) {
    if (e instanceof DepthError) {
      return { error: { message: `expressions nest at most ${MAX_DEPTH} levels deep (parentheses, lists and "not")`, ...tokenSpan(e.token) } };
    }
    throw e;
  }
  const err = parser.errors[0];
  if (err) {
    const tok = err.token;
    const atEnd = tok.tokenType === EOF || Number.isNaN(tok.startOffset);
    const span = atEnd ? { start: text.length, end: text.length } : tokenSpan(tok);
    return { error: { message: err.message, ...span } };
  }
  return { tree };
}
