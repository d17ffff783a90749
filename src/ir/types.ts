// The IR: plain, JSON-serializable, versioned data. Back ends and the engine import
// only this module (and ir/ helpers), never the YAML loader. See docs/ir.md.

export const IR_VERSION = 1 as const;

/** Where a value came from, for messages; never a reference into YAML objects. */
export interface IROrigin {
  file: string;
  line: number; // 1-based
  column: number; // 1-based
}

export type Action = 'enforce' | 'audit' | 'warn';
export type Unmatched = 'deny' | 'allow' | 'audit';

export interface IRDocument {
  irVersion: typeof IR_VERSION;
  /** The root file and the SHA-256 (hex) over every source file, in load order. */
  source: { file: string; sha256: string };
  unmatched: Unmatched;
  /** Merged document order; `index` equals the position and breaks specificity ties. */
  policies: IRPolicy[];
}

export interface IRPolicy {
  name: string;
  index: number;
  description: string;
  scopes: IRScope[];
  /** Condition on the image; null means "always". Never mentions `signature.*`. */
  when: IRExpr | null;
  require: IRRequire;
  action: Action;
  /** Each effective value's origin (after inheritance); absent for built-in values. */
  origins: Partial<Record<IROriginField, IROrigin>>;
  /** The inheritance chain, nearest first: this policy, its parents, then `defaults`. */
  chain: string[];
  origin: IROrigin;
}

export type IROriginField =
  | 'signature'
  | 'trustedDIDs'
  | 'minSignatures'
  | 'maxAge'
  | 'expr'
  | 'action'
  | 'when'
  | 'scope';

export interface IRRequire {
  signature: boolean;
  /** Sorted, distinct DIDs (never the word `owner`). */
  trustedDIDs: string[];
  /** `owner` appeared in the effective trustedDIDs list. */
  trustOwner: boolean;
  minSignatures: number;
  /** Whole seconds; null when no maxAge applies. */
  maxAgeSeconds: number | null;
  /** Per-signature condition; may mention `signature.*`. */
  expr: IRExpr | null;
}

/** What a scope glob is matched against. */
export type ScopeTarget = 'name' | 'name-tag';

export interface IRScope {
  glob: string;
  target: ScopeTarget;
  /** Anchored `^…$`, valid in ECMAScript and RE2 (Go/OPA) alike. */
  regex: string;
  /** The literal characters before the first metacharacter (index key). */
  literalPrefix: string;
  /** Specificity counts (trust-policy.md): larger literals, fewer `**`, fewer `*`/`?` win. */
  specificity: { literals: number; doubleStars: number; singles: number };
  /** One integer with the same order as `specificity` (see docs/ir.md): larger wins. */
  rank: number;
}

// ---------------------------------------------------------------------------
// Expressions: a typed tree. Every node carries its static type.

export type ExprType = 'string' | 'number' | 'bool' | 'duration' | 'list';

export type PathName =
  | 'image.registry'
  | 'image.repository'
  | 'image.name'
  | 'image.namespace'
  | 'image.tag'
  | 'image.digest'
  | 'owner'
  | 'signature.did'
  | 'signature.handle'
  | 'signature.pds'
  | 'signature.algorithm'
  | 'signature.age';

export const PATH_TYPES: Readonly<Record<PathName, ExprType>> = {
  'image.registry': 'string',
  'image.repository': 'string',
  'image.name': 'string',
  'image.namespace': 'string',
  'image.tag': 'string',
  'image.digest': 'string',
  owner: 'string',
  'signature.did': 'string',
  'signature.handle': 'string',
  'signature.pds': 'string',
  'signature.algorithm': 'string',
  'signature.age': 'duration',
};

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type IRExpr =
  | { kind: 'string'; type: 'string'; value: string }
  | { kind: 'number'; type: 'number'; value: number }
  | { kind: 'bool'; type: 'bool'; value: boolean }
  /** Whole seconds. */
  | { kind: 'duration'; type: 'duration'; seconds: number }
  | { kind: 'list'; type: 'list'; items: IRExpr[] }
  | { kind: 'path'; type: ExprType; path: PathName }
  | { kind: 'compare'; type: 'bool'; op: CompareOp; operandType: ExprType; left: IRExpr; right: IRExpr }
  | { kind: 'in'; type: 'bool'; left: IRExpr; right: IRExpr }
  | { kind: 'matches'; type: 'bool'; left: IRExpr; glob: string; regex: string }
  | { kind: 'startsWith' | 'endsWith'; type: 'bool'; left: IRExpr; right: IRExpr }
  | { kind: 'and' | 'or'; type: 'bool'; args: IRExpr[] }
  | { kind: 'not'; type: 'bool'; arg: IRExpr };

export type IRExprKind = IRExpr['kind'];
