// Kyverno itself accepts every ClusterPolicy the compiler writes. `kyverno apply` loads
// policies through its CRD schemas and runs the admission controller's policy validation
// (v1.19.0 pkg/validation/policy Validate, as the webhook does on create) on each; a policy
// it refuses is listed under "Policies Skipped" with the reason and never evaluated.

import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { compileKyverno } from '../../../src/backends/kyverno/index.js';
import type { CompileOptions } from '../../../src/backends/artifact.js';
import type { IRDocument } from '../../../src/ir/types.js';
import { compilePolicyFile } from '../../../src/lower/load.js';
import { TEST_CA_PEM } from '../../conformance/provider.js';
import { irFromYaml } from './harness.js';
import { kyvernoApply, type PolicyDoc } from './kyverno-cli.js';

// Every kind of rule: enforce, audit and warn policies, unmatched deny, a `when`, an expression, maxAge.
const EVERYTHING = `
version: 1
unmatched: deny
policies:
  - { name: release, scope: "atcr.io/release/**", when: image.tag != "latest", require: { trustedDIDs: [did:plc:a, did:plc:b], minSignatures: 2, maxAge: 30d, expr: signature.pds == "https://pds.example" } }
  - { name: canary, scope: "atcr.io/canary/**", action: warn, require: { trustedDIDs: [did:plc:a] } }
  - { name: sandbox, scope: "atcr.io/sandbox/**", action: audit }
  - { name: open, scope: "docker.io/**", require: { signature: false } }
`;

async function documents(): Promise<{ id: string; ir: IRDocument }[]> {
  const out: { id: string; ir: IRDocument }[] = [];
  for (const f of ['policies', 'examples']) {
    for (const name of readdirSync(f).filter((n) => n.endsWith('.yaml') && !n.endsWith('.test.yaml'))) {
      const { ir, diagnostics } = await compilePolicyFile(`${f}/${name}`);
      if (!ir) throw new Error(`${f}/${name}: ${JSON.stringify(diagnostics)}`);
      out.push({ id: `${f}/${name}`, ir });
    }
  }
  out.push({ id: 'everything', ir: irFromYaml(EVERYTHING) }, { id: 'audit unmatched', ir: irFromYaml(EVERYTHING.replace('unmatched: deny', 'unmatched: audit')) });
  return out;
}

const OPTIONS: Record<string, CompileOptions> = {
  default: {},
  'caBundle and service URL': { serviceUrl: 'https://atcr-verify.example.svc:8443', caBundle: TEST_CA_PEM },
  'no excluded namespaces': { excludedNamespaces: [] },
};

/** Each compiled document's policies, renamed so that all of them load in one process. */
function compiledPolicies(docs: { id: string; ir: IRDocument }[]): { names: Map<string, string>; policies: PolicyDoc[] } {
  const names = new Map<string, string>();
  const policies: PolicyDoc[] = [];
  docs.forEach(({ id, ir }, i) => {
    Object.entries(OPTIONS).forEach(([what, opts], j) => {
      for (const p of parseAllDocuments(compileKyverno(ir, opts)[0]!.content as string).map((d) => d.toJS() as PolicyDoc)) {
        const name = `${p.metadata.name}-${i}-${j}`;
        names.set(name, `${id} (${what}) ${p.metadata.name}`);
        policies.push({ ...p, metadata: { ...p.metadata, name } });
      }
    });
  });
  return { names, policies };
}

// An object no rule matches: validation runs on load, no service call is made.
const CONFIG_MAP = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'nothing', namespace: 'default' }, data: {} };
const yamlOf = (policies: unknown[]) => policies.map((p) => JSON.stringify(p)).join('\n---\n') + '\n';

describe('Kyverno accepts the compiled ClusterPolicies', () => {
  it('loads and validates the ClusterPolicies of every shipped and example policy, under every compile option', async () => {
    const { names, policies } = compiledPolicies(await documents());
    expect(policies.length).toBeGreaterThanOrEqual(30);
    const outcome = await kyvernoApply(yamlOf(policies), [CONFIG_MAP]);
    expect(outcome.refused, [...names.entries()].map(([k, v]) => `${k}: ${v}`).join('\n')).toEqual([]);
    expect(outcome.stdout + outcome.stderr).not.toMatch(/deprecated/iu);
  }, 120_000);

  it('refuses a policy that breaks its rules (the check can fail): `element` outside the foreach', async () => {
    const [p] = parseAllDocuments(compileKyverno(irFromYaml(EVERYTHING))[0]!.content as string).map((d) => d.toJS() as PolicyDoc & { spec: { rules: { validate: { message: string } }[] } });
    p!.spec.rules[0]!.validate.message = 'image {{ element.image }} is denied';
    const outcome = await kyvernoApply(yamlOf([p]), [CONFIG_MAP]);
    expect(outcome.refused.join('\n')).toMatch(/element\.image.*outside of foreach/u);
  }, 60_000);
});
