// JSON Schema validation (ajv, draft 2020-12) with every error mapped to file:line:col.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { Diagnostic, Location } from '../diagnostics/diagnostic.js';
import { pointer, type YamlTree } from './yaml-tree.js';

const require = createRequire(import.meta.url);

export type SchemaName = 'trust-policy' | 'policy-test';
const cache = new Map<SchemaName, { schema: object; validate: ValidateFunction }>();

/**
 * The options of every validator, compiled at run time or ahead of time (`npm run build`,
 * scripts/build-validators.mjs). The schemas ship with the tool and are checked against the
 * 2020-12 meta-schema by test/policy/schemas.test.ts, so that check is not repeated here.
 */
export const AJV_OPTIONS = { allErrors: true, strict: true, verbose: true, validateSchema: false } as const;

/** The trust policy JSON Schema (schemas/trust-policy.schema.json). */
export function trustPolicySchema(): object {
  return compiled('trust-policy').schema;
}

/**
 * What an ahead-of-time validator is stamped with: the sha256 of the schema text and of the
 * options it was compiled with. A validator whose stamp differs is not used.
 */
export function validatorStamp(schemaText: string): string {
  return createHash('sha256').update(JSON.stringify(AJV_OPTIONS)).update('\n').update(schemaText).digest('hex');
}

function compiled(name: SchemaName): { schema: object; validate: ValidateFunction } {
  let c = cache.get(name);
  if (!c) {
    const text = readFileSync(schemaPath(`${name}.schema.json`), 'utf8');
    const schema = JSON.parse(text) as object;
    c = { schema, validate: precompiled(name, text) ?? compileNow(schema) };
    cache.set(name, c);
  }
  return c;
}

/**
 * The validator the build made from this very schema text (dist/validators/), if any:
 * loading it skips Ajv and its code generation, ~60 ms of every command's start.
 */
function precompiled(name: SchemaName, text: string): ValidateFunction | null {
  const file = fileURLToPath(new URL(`../../validators/${name}.validate.cjs`, import.meta.url));
  if (!existsSync(file)) return null;
  let mod: { default?: ValidateFunction; stamp?: string };
  try {
    mod = require(file) as typeof mod;
  } catch {
    return null; // a damaged build output: compile instead
  }
  return mod.stamp === validatorStamp(text) && typeof mod.default === 'function' ? mod.default : null;
}

function compileNow(schema: object): ValidateFunction {
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  return new Ajv2020(AJV_OPTIONS).compile(schema);
}

/** schemas/ sits at the package root: two levels above src/policy, three above dist/src/policy. */
function schemaPath(file: string): string {
  for (const rel of ['../../schemas/', '../../../schemas/']) {
    const p = fileURLToPath(new URL(rel + file, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error(`schema ${file} is missing from the installation`);
}

/** The location of the value at a pointer, or of its nearest located ancestor. */
export function locate(tree: YamlTree, ptr: string, preferKey = false): Location {
  let p = ptr;
  for (;;) {
    const l = (preferKey ? tree.keyLoc.get(p) : undefined) ?? tree.valueLoc.get(p) ?? tree.keyLoc.get(p);
    if (l) return l;
    if (p === '') return { file: tree.file, line: 1, column: 1 };
    p = p.slice(0, p.lastIndexOf('/'));
  }
}

function describePath(ptr: string): string {
  if (ptr === '') return 'the document';
  const parts = ptr.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out === '' ? p : `.${p}`;
  return `\`${out}\``;
}

function valueAt(value: unknown, ptr: string): unknown {
  let v: unknown = value;
  for (const raw of ptr.split('/').slice(1)) {
    const k = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string "${v.length > 40 ? v.slice(0, 40) + '…' : v}"`;
  return `${typeof v} ${String(v)}`;
}

function message(e: ErrorObject, data: unknown): { text: string; ptr: string; key: boolean } {
  const at = describePath(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = String(p.additionalProperty);
      const allowed = Object.keys(((e.parentSchema as { properties?: object })?.properties ?? {}) as object);
      const hint =
        extra === '<<'
          ? ' (YAML merge keys are not part of YAML 1.2: repeat the fields, or use a policy `extends`)'
          : '';
      return {
        text: `unknown field \`${extra}\` in ${at}; allowed fields: ${allowed.join(', ')}${hint}`,
        ptr: pointer(e.instancePath, extra),
        key: true,
      };
    }
    case 'required':
      return { text: `${at} is missing the required field \`${String(p.missingProperty)}\``, ptr: e.instancePath, key: true };
    case 'type':
      return { text: `${at} must be ${article(String(p.type))}, not ${typeName(data)}`, ptr: e.instancePath, key: false };
    case 'enum':
      return {
        text: `${at} must be one of ${(p.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(', ')}, not ${typeName(data)}`,
        ptr: e.instancePath,
        key: false,
      };
    case 'const':
      return { text: `${at} must be ${JSON.stringify(p.allowedValue)}, not ${typeName(data)}`, ptr: e.instancePath, key: false };
    case 'pattern':
      if (e.instancePath.endsWith('/name')) {
        return {
          text: `${at} must be lower-case letters, digits and inner hyphens, at most 64 characters (e.g. "prod-api"), not ${typeName(data)}`,
          ptr: e.instancePath,
          key: false,
        };
      }
      if (e.instancePath.endsWith('/maxAge')) {
        return { text: `${at} must be a duration like 30d, 12h or 1d12h (units w d h m s), not ${typeName(data)}`, ptr: e.instancePath, key: false };
      }
      return { text: `${at} must match ${String(p.pattern)}`, ptr: e.instancePath, key: false };
    case 'oneOf':
      return { text: `${at} must be a string or a non-empty list of strings, not ${typeName(data)}`, ptr: e.instancePath, key: false };
    case 'minItems':
      return { text: `${at} must not be an empty list`, ptr: e.instancePath, key: false };
    case 'minLength':
      return { text: `${at} must not be empty`, ptr: e.instancePath, key: false };
    case 'maxLength':
      return { text: `${at} is longer than ${String(p.limit)} characters`, ptr: e.instancePath, key: false };
    case 'minimum':
    case 'maximum':
      return { text: `${at} ${e.message ?? 'is out of range'}, not ${typeName(data)}`, ptr: e.instancePath, key: false };
    default:
      return { text: `${at} ${e.message ?? 'is invalid'}`, ptr: e.instancePath, key: false };
  }
}

function article(t: string): string {
  const names: Record<string, string> = { object: 'a mapping', array: 'a list', string: 'a string', integer: 'an integer', boolean: 'true or false', number: 'a number' };
  return names[t] ?? t;
}

export function validateSchema(tree: YamlTree, name: SchemaName = 'trust-policy'): Diagnostic[] {
  const { validate } = compiled(name);
  if (validate(tree.value)) return [];
  let errors = validate.errors ?? [];
  // A failed oneOf (string or list) reports both branches; keep the branch that fits the data's type.
  const oneOfs = errors.filter((e) => e.keyword === 'oneOf');
  for (const o of oneOfs) {
    const data = valueAt(tree.value, o.instancePath);
    const branch = typeof data === 'string' ? 0 : Array.isArray(data) ? 1 : -1;
    const prefix = o.schemaPath + '/';
    errors = errors.filter((e) => {
      if (e === o) return branch === -1;
      if (!e.schemaPath.startsWith(prefix.replace(/oneOf\/$/, 'oneOf/'))) return true;
      return branch !== -1 && e.schemaPath.startsWith(`${o.schemaPath}/${branch}/`);
    });
  }
  return errors.map((e) => {
    const m = message(e, valueAt(tree.value, e.instancePath));
    return { ...locate(tree, m.ptr, m.key), rule: 'schema', severity: 'error' as const, message: m.text };
  });
}
