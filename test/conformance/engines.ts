// One adapter per engine. Each decides every case of every corpus group in as few
// processes as it can (one `opa eval` for all groups, one `opa build` for all modules, one
// Gatekeeper process) and answers, per case, what the engine decided — the whole decision
// where the engine hands it back, the fields it shows otherwise — or why the case cannot be
// put to it at all.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { compileGatekeeper } from '../../src/backends/gatekeeper/index.js';
import { compileRego, renderModule } from '../../src/backends/rego/index.js';
import { loadWasmEngine } from '../../src/backends/wasm/index.js';
import { evaluate } from '../../src/engine/evaluate.js';
import type { Decision } from '../../src/ir/decision.js';
import { parseInstant } from '../../src/ir/time.js';
import { RegoProgram } from '../support/rego/interpreter.js';
import { toolPath } from '../support/tools.js';
import { type KyvernoInput, kyvernoClock, outcomeOf, runKyverno } from '../backends/kyverno/harness.js';
import type { CorpusGroup } from './corpus.js';
import { GatekeeperHarness } from './gatekeeper-harness.js';
import { startProvider, TEST_CA_PEM } from './provider.js';

export interface EngineAnswer {
  /** The decision, or the part of it the engine shows. */
  decision?: Partial<Decision>;
  /** A message the engine itself produced (compared with the adapter's expectedMessage). */
  message?: string;
  /** The engine could not be given this case (e.g. Gatekeeper cannot meet a malformed input). */
  unexpressible?: string;
  /** The engine failed on this case. */
  error?: string;
}

export interface EngineAdapter {
  name: string;
  decide(groups: readonly CorpusGroup[]): Promise<EngineAnswer[][]>;
  /** The message the engine should produce for the native decision, when it produces one. */
  expectedMessage?(input: unknown, native: Decision): string;
}

const plain = (d: unknown) => JSON.parse(JSON.stringify(d)) as Decision;

function perCase(groups: readonly CorpusGroup[], f: (g: CorpusGroup) => (input: unknown) => EngineAnswer): EngineAnswer[][] {
  return groups.map((g) => {
    const decide = f(g);
    return g.cases.map((c) => {
      try {
        return decide(c.input);
      } catch (err) {
        return { error: (err as Error).message };
      }
    });
  });
}

export const native: EngineAdapter = {
  name: 'native',
  decide: async (groups) => perCase(groups, (g) => (input) => ({ decision: plain(evaluate(g.ir, input)) })),
};

export const ourWasm: EngineAdapter = {
  name: 'wasm',
  async decide(groups) {
    const engines = await Promise.all(groups.map((g) => loadWasmEngine(g.ir)));
    return perCase(groups, (g) => {
      const e = engines[groups.indexOf(g)]!;
      return (input) => ({ decision: e.evaluate(input) });
    });
  },
};

export const regoModel: EngineAdapter = {
  name: 'rego-model',
  decide: async (groups) =>
    perCase(groups, (g) => {
      const program = new RegoProgram([renderModule(g.ir, 'atcr.trust')]);
      return (input) => ({ decision: program.evaluate('data.atcr.trust.decision', input) as Decision });
    }),
};

/** The JS model of Kyverno (test/backends/kyverno/kyverno-sim.ts) on the compiled ClusterPolicy. */
export const kyvernoModel: EngineAdapter = {
  name: 'kyverno-model',
  decide: async (groups) =>
    perCase(groups, (g) => (input) => {
      const clock = kyvernoClock(input);
      if (clock === null) return { unexpressible: 'Kyverno takes the image from a pod, now from its clock (whole seconds) and the facts from the service' };
      const o = outcomeOf(g.ir, runKyverno(g.ir, { ...(input as KyvernoInput), now: clock }));
      const d: Partial<Decision> = { allowed: o.allowed, effect: o.effect };
      if (o.policy !== undefined) d.policy = o.policy;
      if (o.satisfiedBy !== undefined && o.policy) d.satisfiedBy = o.satisfiedBy;
      return { decision: d };
    }),
};

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'atcr-conformance-'));
}

const pkg = (i: number) => `corpus.g${i}`;

/** Every group's module under its own package, and one module deciding every case of every group. */
function batchModules(groups: readonly CorpusGroup[]): Record<string, string> {
  const files: Record<string, string> = {};
  groups.forEach((g, i) => (files[`g${i}.rego`] = renderModule(g.ir, pkg(i))));
  files['batch.rego'] = `package conformance

results[g] := {format_int(i, 10): d |
	some i, c in input.groups[g]
	d := data.corpus[g].decision with input as c
} if {
	some g, _ in input.groups
}
`;
  return files;
}

function writeAll(dir: string, files: Record<string, string>): string[] {
  return Object.entries(files).map(([name, text]) => {
    const p = join(dir, name);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, text);
    return p;
  });
}

function opa(args: string[]): string {
  try {
    return execFileSync(toolPath('opa'), args, { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`opa ${args[0]} failed: ${(e.stderr || e.stdout || e.message).slice(0, 3000)}`);
  }
}

function opaEvalBatch(dataArgs: string[], groups: Record<string, unknown[]>, dir: string): Record<string, Record<string, unknown>> {
  const inputFile = join(dir, 'input.json');
  writeFileSync(inputFile, JSON.stringify({ groups }));
  const out = JSON.parse(opa(['eval', '--format', 'json', ...dataArgs, '--input', inputFile, 'data.conformance.results'])) as {
    result?: { expressions: { value: Record<string, Record<string, unknown>> }[] }[];
  };
  return out.result?.[0]?.expressions[0]?.value ?? {};
}

function fromResults(groups: readonly CorpusGroup[], results: (i: number) => Record<string, unknown> | undefined): EngineAnswer[][] {
  return groups.map((g, i) => {
    const r = results(i) ?? {};
    return g.cases.map((_, k) => {
      const d = r[String(k)];
      return d === undefined ? { error: 'no decision (undefined)' } : { decision: d as Decision };
    });
  });
}

/** `opa eval` on the generated modules: one process for every group and case. */
export const opaRego: EngineAdapter = {
  name: 'opa-rego',
  async decide(groups) {
    const dir = tempDir();
    const files = writeAll(dir, batchModules(groups));
    const results = opaEvalBatch(
      files.flatMap((f) => ['--data', f]),
      Object.fromEntries(groups.map((g, i) => [`g${i}`, g.cases.map((c) => c.input)])),
      dir,
    );
    return fromResults(groups, (i) => results[`g${i}`]);
  },
};

/**
 * `opa eval` on the OPA bundle exactly as `compile --target rego` writes it. Its root is
 * `atcr`, so one process holds one bundle: one process per document, all its cases at once.
 */
export const opaBundle: EngineAdapter = {
  name: 'opa-bundle',
  async decide(groups) {
    return groups.map((g) => {
      const dir = tempDir();
      const bundle = join(dir, 'bundle');
      for (const a of compileRego(g.ir)) if (a.path.startsWith('bundle/')) writeAll(dir, { [a.path]: a.content as string });
      const batch = join(dir, 'batch.rego');
      writeFileSync(batch, `package conformance\n\nresults.g0 := {format_int(i, 10): d |\n\tsome i, c in input.groups.g0\n\td := data.atcr.trust.decision with input as c\n}\n`);
      const results = opaEvalBatch(['--bundle', bundle, '--data', batch], { g0: g.cases.map((c) => c.input) }, dir);
      return fromResults([g], () => results.g0)[0]!;
    });
  },
};

/** `opa build -t wasm` of the generated Rego (OPA's own planner), run in OPA's JS SDK: one build for all groups. */
export const opaWasm: EngineAdapter = {
  name: 'opa-wasm',
  async decide(groups) {
    const dir = tempDir();
    const files = writeAll(dir, Object.fromEntries(groups.map((g, i) => [`g${i}.rego`, renderModule(g.ir, pkg(i))])));
    const out = join(dir, 'bundle.tar.gz');
    opa(['build', '-t', 'wasm', ...groups.flatMap((_, i) => ['-e', `corpus/g${i}/decision`]), '-o', out, ...files]);
    execFileSync('tar', ['-xzf', out, '-C', dir, '/policy.wasm']);
    const policy = await loadPolicy(readFileSync(join(dir, 'policy.wasm')));
    policy.setData({});
    return perCase(groups, (g) => {
      const entrypoint = `corpus/g${groups.indexOf(g)}/decision`;
      return (input) => {
        const rs = policy.evaluate(input, entrypoint) as { result: Decision }[];
        return rs.length > 0 ? { decision: rs[0]!.result } : { error: 'no decision (undefined)' };
      };
    });
  },
};

const VERBS: Record<string, string> = { deny: 'is denied', audit: 'fails (audit)', warn: 'fails (warn)' };

/** The message the template writes for a decision (docs/compile-gatekeeper.md). */
export function gatekeeperMessage(image: string, d: Decision): string {
  const label = typeof d.policy === 'string' ? `trust policy ${d.policy}` : 'the trust policies (no policy applies)';
  return `image ${image} ${VERBS[d.effect]} by ${label}: ${d.violations.map((v) => v.message).join('; ')}`;
}

/** Why Gatekeeper cannot be given this input, or null. */
function gatekeeperCannot(input: unknown): string | null {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return 'the input is not an object';
  const { image, now, signatures } = input as Record<string, unknown>;
  if (typeof image !== 'string') return 'the image comes from a container spec (always a string)';
  if (image === '') return 'an empty image is no container image';
  if (!Array.isArray(signatures)) return 'the provider answers signatures as an array';
  if (typeof now !== 'string' || !parseInstant(now)) return 'now is the Gatekeeper clock (always readable)';
  return null;
}

/**
 * Gatekeeper's constraint framework (tools/gatekeeper-harness) on the compiled
 * ConstraintTemplate and Constraints, each case a Pod whose provider answer (real HTTPS,
 * TLS 1.3, the Provider's caBundle) carries the case's facts, with Gatekeeper's clock at
 * the case's `now`. The response cache is off so every round asks the provider.
 */
export const gatekeeper: EngineAdapter = {
  name: 'gatekeeper',
  expectedMessage: (input, d) => gatekeeperMessage((input as { image: string }).image, d),
  async decide(groups) {
    const provider = await startProvider();
    const harness = new GatekeeperHarness();
    const caBundle = Buffer.from(TEST_CA_PEM).toString('base64');
    try {
      const answers: EngineAnswer[][] = [];
      for (const g of groups) {
        const arts = compileGatekeeper(g.ir, { serviceUrl: provider.url.replace(/\/gatekeeper\/v1\/provider$/u, '') });
        const text = (p: string) => arts.find((a) => a.path === p)!.content as string;
        try {
          await harness.setup({
            templates: [text('constraint-template.yaml')],
            constraints: [text('constraints.yaml')],
            providers: [text('provider.yaml').replace('REPLACE-WITH-BASE64-PEM-CA-BUNDLE', caBundle)],
            responseCacheTTLSeconds: 0,
          });
        } catch (err) {
          answers.push(g.cases.map(() => ({ error: (err as Error).message })));
          continue;
        }
        const out: EngineAnswer[] = g.cases.map((c) => {
          const why = gatekeeperCannot(c.input);
          return why ? { unexpressible: why } : {};
        });
        // Rounds of cases with distinct images: the provider answers by image.
        let pending = g.cases.map((_, k) => k).filter((k) => !out[k]!.unexpressible);
        while (pending.length > 0) {
          const seen = new Set<string>();
          const round: number[] = [];
          const later: number[] = [];
          for (const k of pending) {
            const image = (g.cases[k]!.input as { image: string }).image;
            if (seen.has(image)) later.push(k);
            else {
              seen.add(image);
              round.push(k);
            }
          }
          provider.table.clear();
          for (const k of round) {
            const input = g.cases[k]!.input as Record<string, unknown>;
            const image = input.image as string;
            provider.table.set(image, { value: { image, digest: '', owner: input.owner ?? '', signatures: input.signatures } });
          }
          const results = await harness.review(
            round.map((k) => {
              const input = g.cases[k]!.input as { image: string; now: string };
              return { object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'app', namespace: 'default' }, spec: { containers: [{ name: 'c0', image: input.image }] } }, now: input.now };
            }),
          );
          round.forEach((k, j) => {
            const r = results[j]!;
            if (r.error) out[k] = { error: r.error };
            else if (r.violations!.length === 0) out[k] = { decision: { allowed: true, effect: 'allow' } };
            else if (r.violations!.length > 1) out[k] = { error: `more than one violation: ${JSON.stringify(r.violations)}` };
            else {
              const v = r.violations![0]!;
              const d = v.details?.decision as Decision | undefined;
              if (!d) out[k] = { error: `no decision in the violation: ${v.msg}` };
              else {
                const expectAction = d.effect === 'allow' ? undefined : { deny: 'deny', audit: 'dryrun', warn: 'warn' }[d.effect];
                if (v.enforcementAction !== expectAction) out[k] = { error: `effect ${d.effect} reported under enforcementAction ${v.enforcementAction}` };
                else out[k] = { decision: d, message: v.msg };
              }
            }
          });
          pending = later;
        }
        answers.push(out);
      }
      return answers;
    } finally {
      await harness.close();
      await provider.close();
    }
  },
};

/** The real Kyverno CLI on the compiled ClusterPolicies, in batches (kyverno-engine.ts). */
export { kyverno } from './kyverno-engine.js';
