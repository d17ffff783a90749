// The syntax tree of the Rego subset the tests parse and evaluate.

export type Term =
  | { type: 'scalar'; value: null | boolean | string; line: number }
  | { type: 'number'; text: string; line: number }
  | { type: 'var'; name: string; line: number }
  | { type: 'ref'; base: Term; path: RefStep[]; line: number }
  | { type: 'call'; name: string; args: Term[]; line: number }
  | { type: 'array'; items: Term[]; line: number }
  | { type: 'set'; items: Term[]; line: number }
  | { type: 'object'; entries: [Term, Term][]; line: number }
  | { type: 'arrayComp' | 'setComp'; head: Term; body: Literal[]; line: number }
  | { type: 'objectComp'; key: Term; value: Term; body: Literal[]; line: number }
  | { type: 'binary'; op: '+' | '-' | '*' | '/' | '%' | '|' | '&'; left: Term; right: Term; line: number }
  | { type: 'neg'; arg: Term; line: number };

/** `.name` is a string key step; `[term]` a computed one. */
export type RefStep = Term;

export type Expr =
  | { type: 'term'; term: Term }
  | { type: 'infix'; op: ':=' | '=' | '==' | '!=' | '<' | '<=' | '>' | '>='; left: Term; right: Term }
  | { type: 'in'; key: Term | null; value: Term; collection: Term };

export type Literal =
  | { type: 'expr'; expr: Expr; negated: boolean; withs: { target: Term; value: Term }[]; line: number }
  | { type: 'some'; vars: Term[]; collection: Term | null; line: number };

export interface RuleBranch {
  value: Term | null; // null: `true`
  body: Literal[] | null; // null: no body (always)
}

export interface Rule {
  name: string;
  kind: 'complete' | 'function' | 'contains';
  isDefault: boolean;
  args: Term[];
  /** The rule and its `else` branches, in order. */
  branches: RuleBranch[];
  line: number;
}

export interface Module {
  package: string;
  imports: string[];
  rules: Rule[];
}
