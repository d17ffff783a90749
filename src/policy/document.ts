// A schema-valid YAML tree → a typed document model whose every value keeps its location.
// Only called after validateSchema passed, so shapes are trusted here.

import type { Location } from '../diagnostics/diagnostic.js';
import type { Action, Unmatched } from '../ir/types.js';
import { locate } from './schema.js';
import { pointer, type OffsetMapper, type YamlTree } from './yaml-tree.js';

export interface Loc<T> {
  value: T;
  loc: Location;
}

export interface ExprSrc extends Loc<string> {
  /** Location of a character offset inside the expression text. */
  at: OffsetMapper;
}

export interface RequireSrc {
  signature?: Loc<boolean>;
  trustedDIDs?: Loc<string>[];
  minSignatures?: Loc<number>;
  maxAge?: Loc<string>;
  expr?: ExprSrc;
}

export interface DefaultsSrc {
  require: RequireSrc;
  action?: Loc<Action>;
  when?: ExprSrc;
}

export interface PolicySrc {
  file: string;
  name: Loc<string>;
  description: string;
  scopes: ExprSrc[];
  extends?: Loc<string>;
  when?: ExprSrc;
  require: RequireSrc;
  action?: Loc<Action>;
  loc: Location;
}

export interface DocumentSrc {
  file: string;
  extends: Loc<string>[];
  defaults: DefaultsSrc | null;
  unmatched?: Loc<Unmatched>;
  policies: PolicySrc[];
}

type Obj = Record<string, unknown>;

export function readDocument(tree: YamlTree): DocumentSrc {
  const root = tree.value as Obj;
  const at = (ptr: string) => locate(tree, ptr);
  const loc = <T>(ptr: string, value: T): Loc<T> => ({ value, loc: at(ptr) });
  const expr = (ptr: string, value: string): ExprSrc => ({
    value,
    loc: at(ptr),
    at: tree.scalarMap.get(ptr) ?? (() => at(ptr)),
  });
  const readRequire = (ptr: string, r: Obj | undefined): RequireSrc => {
    const out: RequireSrc = {};
    if (!r) return out;
    if (typeof r.signature === 'boolean') out.signature = loc(pointer(ptr, 'signature'), r.signature);
    if (Array.isArray(r.trustedDIDs)) {
      const base = pointer(ptr, 'trustedDIDs');
      out.trustedDIDs = (r.trustedDIDs as string[]).map((d, i) => loc(pointer(base, i), d));
    }
    if (typeof r.minSignatures === 'number') out.minSignatures = loc(pointer(ptr, 'minSignatures'), r.minSignatures);
    if (typeof r.maxAge === 'string') out.maxAge = loc(pointer(ptr, 'maxAge'), r.maxAge);
    if (typeof r.expr === 'string') out.expr = expr(pointer(ptr, 'expr'), r.expr);
    return out;
  };

  const ext = root.extends === undefined ? [] : Array.isArray(root.extends) ? (root.extends as string[]) : [root.extends as string];
  const extPtr = (i: number) => (Array.isArray(root.extends) ? pointer('/extends', i) : '/extends');

  let defaults: DefaultsSrc | null = null;
  if (root.defaults && typeof root.defaults === 'object') {
    const d = root.defaults as Obj;
    defaults = { require: readRequire('/defaults/require', d.require as Obj | undefined) };
    if (typeof d.action === 'string') defaults.action = loc('/defaults/action', d.action as Action);
    if (typeof d.when === 'string') defaults.when = expr('/defaults/when', d.when);
  }

  const policies: PolicySrc[] = ((root.policies as Obj[] | undefined) ?? []).map((p, i) => {
    const ptr = pointer('/policies', i);
    const scopes = Array.isArray(p.scope)
      ? (p.scope as string[]).map((s, k) => expr(pointer(pointer(ptr, 'scope'), k), s))
      : [expr(pointer(ptr, 'scope'), p.scope as string)];
    const out: PolicySrc = {
      file: tree.file,
      name: loc(pointer(ptr, 'name'), p.name as string),
      description: typeof p.description === 'string' ? p.description : '',
      scopes,
      require: readRequire(pointer(ptr, 'require'), p.require as Obj | undefined),
      loc: at(ptr),
    };
    if (typeof p.extends === 'string') out.extends = loc(pointer(ptr, 'extends'), p.extends);
    if (typeof p.when === 'string') out.when = expr(pointer(ptr, 'when'), p.when);
    if (typeof p.action === 'string') out.action = loc(pointer(ptr, 'action'), p.action as Action);
    return out;
  });

  const doc: DocumentSrc = {
    file: tree.file,
    extends: ext.map((e, i) => loc(extPtr(i), e)),
    defaults,
    policies,
  };
  if (typeof root.unmatched === 'string') doc.unmatched = loc('/unmatched', root.unmatched as Unmatched);
  return doc;
}
