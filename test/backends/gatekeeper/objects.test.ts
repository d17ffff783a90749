// The generated Gatekeeper objects: valid against the CRD schemas, the Rego parses,
// constraints per effect, options honoured, output deterministic.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compileGatekeeper, effectsUsed, libraryRego, templateRego } from '../../../src/backends/gatekeeper/index.js';
import { renderModule } from '../../../src/backends/rego/index.js';
import { parseModule } from '../../support/rego/parser.js';
import { checkModule } from '../../support/rego/check.js';
import { document, emptyDoc, expressionsDoc, productionDoc } from '../rego/fixtures.js';

const SCHEMAS = join(import.meta.dirname, '..', '..', 'fixtures', 'k8s-crd-schemas');
const ajv = new Ajv2020.default({ strict: false, allErrors: true });
const validateTemplate = ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, 'templates.gatekeeper.sh', 'constrainttemplate_v1.json'), 'utf8')));
const validateProvider = ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, 'externaldata.gatekeeper.sh', 'provider_v1beta1.json'), 'utf8')));

/** Gatekeeper generates the constraint CRD per template; these are its fixed fields. */
const validateConstraint = ajv.compile({
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'constraints.gatekeeper.sh/v1beta1' },
    kind: { type: 'string' },
    metadata: { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' } } },
    spec: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enforcementAction: { enum: ['deny', 'dryrun', 'warn'] },
        match: {
          type: 'object',
          additionalProperties: false,
          properties: {
            kinds: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                properties: { apiGroups: { type: 'array', items: { type: 'string' } }, kinds: { type: 'array', items: { type: 'string' } } },
              },
            },
            excludedNamespaces: { type: 'array', items: { type: 'string' } },
            namespaces: { type: 'array', items: { type: 'string' } },
          },
        },
        parameters: { type: 'object' },
      },
    },
  },
});

/**
 * The fields of Gatekeeper's Assign CRD (mutations.gatekeeper.sh/v1) that the generator
 * writes, with their enums; /work/shared/fixtures has no Assign schema to validate against.
 */
const validateAssign = ajv.compile({
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'mutations.gatekeeper.sh/v1' },
    kind: { const: 'Assign' },
    metadata: { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 } } },
    spec: {
      type: 'object',
      additionalProperties: false,
      required: ['applyTo', 'location', 'parameters'],
      properties: {
        applyTo: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            properties: { groups: { type: 'array', items: { type: 'string' } }, kinds: { type: 'array', items: { type: 'string' } }, versions: { type: 'array', items: { type: 'string' } } },
          },
        },
        match: {
          type: 'object',
          additionalProperties: false,
          properties: {
            scope: { enum: ['*', 'Cluster', 'Namespaced'] },
            kinds: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { apiGroups: { type: 'array' }, kinds: { type: 'array' } } } },
            excludedNamespaces: { type: 'array', items: { type: 'string' } },
            namespaces: { type: 'array', items: { type: 'string' } },
          },
        },
        location: { type: 'string', minLength: 1 },
        parameters: {
          type: 'object',
          additionalProperties: false,
          properties: {
            assign: {
              type: 'object',
              additionalProperties: false,
              properties: {
                externalData: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['provider'],
                  properties: {
                    provider: { type: 'string' },
                    dataSource: { enum: ['ValueAtLocation', 'Username'] },
                    failurePolicy: { enum: ['UseDefault', 'Ignore', 'Fail'] },
                    default: { type: 'string' },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
});

function objects(content: string | Uint8Array): Record<string, any>[] {
  return parseAllDocuments(String(content)).map((d) => d.toJS() as Record<string, any>);
}

function compiled(ir = productionDoc, opts = {}) {
  const byPath = Object.fromEntries(compileGatekeeper(ir, opts).map((a) => [a.path, a.content]));
  return {
    byPath,
    template: objects(byPath['constraint-template.yaml']!)[0]!,
    constraints: objects(byPath['constraints.yaml']!),
    provider: objects(byPath['provider.yaml']!)[0]!,
  };
}

describe('compileGatekeeper', () => {
  it('writes a template, the constraints and the provider', () => {
    expect(compileGatekeeper(productionDoc).map((a) => a.path)).toEqual(['constraint-template.yaml', 'constraints.yaml', 'provider.yaml']);
  });

  it('produces objects valid against the Gatekeeper CRD schemas', () => {
    for (const ir of [productionDoc, expressionsDoc, emptyDoc]) {
      const { template, constraints, provider } = compiled(ir);
      expect(validateTemplate(template), JSON.stringify(validateTemplate.errors)).toBe(true);
      expect(validateProvider(provider), JSON.stringify(validateProvider.errors)).toBe(true);
      const paramsSchema = ajv.compile(template.spec.crd.spec.validation.openAPIV3Schema);
      for (const c of constraints) {
        expect(validateConstraint(c), JSON.stringify(validateConstraint.errors)).toBe(true);
        expect(c.kind).toBe(template.spec.crd.spec.names.kind);
        expect(paramsSchema(c.spec.parameters), JSON.stringify(paramsSchema.errors)).toBe(true);
      }
      expect(template.metadata.name).toBe(template.spec.crd.spec.names.kind.toLowerCase());
    }
  });

  it('has Rego that parses, with the policy as a lib.* library', () => {
    const { template } = compiled(expressionsDoc);
    expect(template.spec.targets[0].target).toBe('admission.k8s.gatekeeper.sh');
    // Rego v1 through `code` (Gatekeeper reads `rego:` as v0 and refuses `import rego.v1`).
    expect(template.spec.targets[0].rego).toBeUndefined();
    expect(template.spec.targets[0].code).toHaveLength(1);
    expect(template.spec.targets[0].code[0]).toMatchObject({ engine: 'Rego', source: { version: 'v1' } });
    const target = template.spec.targets[0].code[0].source;
    expect(target.rego).not.toMatch(/^import rego\.v1/mu);
    const main = parseModule(target.rego);
    expect(main.rules.some((r) => r.name === 'violation' && r.kind === 'contains')).toBe(true);
    expect(target.libs).toHaveLength(1);
    const lib = parseModule(target.libs[0]);
    expect(lib.package).toBe('lib.atcr.trust');
    expect(checkModule(main, ['external_data', 'time.now_ns'])).toEqual([]);
    expect(checkModule(lib)).toEqual([]);
    expect(target.rego).toContain('data.lib.atcr.trust.decision');
    expect(target.rego).not.toMatch(/http\.send/u);
  });

  it('puts the Rego under code[] as Rego v1, and names the minimum Gatekeeper', () => {
    const byPath = Object.fromEntries(compileGatekeeper(expressionsDoc).map((a) => [a.path, a.content]));
    const template = objects(byPath['constraint-template.yaml']!)[0]!;
    expect(validateTemplate(template), JSON.stringify(validateTemplate.errors)).toBe(true);
    const [target] = template.spec.targets;
    expect(Object.keys(target).sort()).toEqual(['code', 'target']);
    expect(target.code).toHaveLength(1);
    const { engine, source } = target.code[0];
    expect([engine, source.version]).toEqual(['Rego', 'v1']);
    expect(source.rego).toBe(templateRego(expressionsDoc));
    expect(source.libs).toEqual([libraryRego(expressionsDoc)]);
    expect(String(byPath['constraint-template.yaml'])).toContain('# Requires Gatekeeper 3.19 or later');
  });

  it('keeps the Rego byte for byte through YAML', () => {
    const target = compiled(productionDoc).template.spec.targets[0].code[0].source;
    expect(target.rego).toBe(templateRego(productionDoc));
    expect(target.libs[0]).toBe(libraryRego(productionDoc));
    expect(target.libs[0]).toBe(renderModule(productionDoc, 'lib.atcr.trust').replace('import rego.v1\n\n', ''));
  });

  it('maps each effect to its enforcement action, one constraint per effect', () => {
    const { constraints } = compiled(productionDoc);
    expect(constraints.map((c) => [c.metadata.name, c.spec.enforcementAction, c.spec.parameters.effect])).toEqual([
      ['atcr-trust-deny', 'deny', 'deny'],
      ['atcr-trust-audit', 'dryrun', 'audit'],
    ]);
    const warnOnly = document([{ name: 'w', scopes: ['**'], action: 'warn' }], 'allow');
    expect(effectsUsed(warnOnly)).toEqual(['deny', 'warn']);
    expect(compiled(warnOnly).constraints.map((c) => c.spec.enforcementAction)).toEqual(['deny', 'warn']);
    expect(effectsUsed(document([], 'audit'))).toEqual(['deny', 'audit']);
  });

  it('excludes kube-system and gatekeeper-system by default, or the namespaces given', () => {
    expect(compiled().constraints[0]!.spec.match.excludedNamespaces).toEqual(['kube-system', 'gatekeeper-system']);
    const custom = compiled(productionDoc, { excludedNamespaces: ['infra'] });
    for (const c of custom.constraints) expect(c.spec.match.excludedNamespaces).toEqual(['infra']);
    expect(compiled(productionDoc, { excludedNamespaces: [] }).constraints[0]!.spec.match.excludedNamespaces).toBeUndefined();
  });

  it('matches Pods and the workload kinds whose pod templates the Rego reads', () => {
    const kinds = compiled().constraints[0]!.spec.match.kinds.flatMap((k: { kinds: string[] }) => k.kinds);
    expect([...kinds].sort()).toEqual(['CronJob', 'DaemonSet', 'Deployment', 'Job', 'Pod', 'ReplicaSet', 'ReplicationController', 'StatefulSet']);
  });

  it('points the provider at the service URL, or a placeholder', () => {
    expect(compiled().provider.spec.url).toBe('https://atcr-verify.atcr-system.svc/gatekeeper/v1/provider');
    const p = compiled(productionDoc, { serviceUrl: 'https://verify.example.com:8443/' }).provider;
    expect(p.spec.url).toBe('https://verify.example.com:8443/gatekeeper/v1/provider');
    expect(p.metadata.name).toBe('atcr-verify');
    expect(p.spec.timeout).toBeGreaterThan(0);
  });

  it('writes the CA bundle base64-encoded into every Provider, else a placeholder', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(compiled().provider.spec.caBundle).toBe('REPLACE-WITH-BASE64-PEM-CA-BUNDLE');
    const byPath = Object.fromEntries(compileGatekeeper(productionDoc, { caBundle: pem, pinDigests: true }).map((a) => [a.path, a.content]));
    const providers = objects(byPath['provider.yaml']!);
    expect(providers).toHaveLength(2);
    for (const p of providers) expect(Buffer.from(p.spec.caBundle, 'base64').toString('utf8')).toBe(pem);
  });

  it('pins Pod images to verified digests with --pin-digests: three Assigns and a second Provider', () => {
    expect(compileGatekeeper(productionDoc).map((a) => a.path)).not.toContain('mutation.yaml');
    const opts = { pinDigests: true, serviceUrl: 'https://verify.example.com:8443', excludedNamespaces: ['infra'] };
    const byPath = Object.fromEntries(compileGatekeeper(productionDoc, opts).map((a) => [a.path, a.content]));
    const providers = objects(byPath['provider.yaml']!);
    expect(providers.map((p) => [p.metadata.name, p.spec.url])).toEqual([
      ['atcr-verify', 'https://verify.example.com:8443/gatekeeper/v1/provider'],
      ['atcr-verify-mutate', 'https://verify.example.com:8443/gatekeeper/v1/mutate'],
    ]);
    for (const p of providers) expect(validateProvider(p), JSON.stringify(validateProvider.errors)).toBe(true);
    const assigns = objects(byPath['mutation.yaml']!);
    for (const a of assigns) expect(validateAssign(a), JSON.stringify(validateAssign.errors)).toBe(true);
    expect(assigns.map((a) => a.spec.location)).toEqual([
      'spec.containers[name:*].image',
      'spec.initContainers[name:*].image',
      'spec.ephemeralContainers[name:*].image',
    ]);
    for (const a of assigns) {
      expect(a.spec.parameters.assign.externalData).toEqual({ provider: 'atcr-verify-mutate', dataSource: 'ValueAtLocation', failurePolicy: 'Fail' });
      expect(a.spec.match.excludedNamespaces).toEqual(['infra']);
      expect(a.spec.applyTo).toEqual([{ groups: [''], kinds: ['Pod'], versions: ['v1'] }]);
    }
  });

  it('is deterministic and names the source', () => {
    const a = compileGatekeeper(productionDoc);
    const b = compileGatekeeper(structuredClone(productionDoc));
    expect(a).toEqual(b);
    expect(String(a[0]!.content)).toContain(productionDoc.source.sha256);
    expect(compiled().template.metadata.annotations['atcr.io/source']).toBe(productionDoc.source.file);
  });
});
