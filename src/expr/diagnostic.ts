// Findings of the expression front end. Offsets and lengths are UTF-16 code units of the
// expression text; the policy loader maps them into the YAML file.

export type ExprContext = 'when' | 'require';

export type ExprRule = 'expr-syntax' | 'expr-type' | 'signature-in-when' | 'invalid-scope' | 'invalid-duration';

export interface ExprDiagnostic {
  rule: ExprRule;
  message: string;
  offset: number;
  length: number;
}
