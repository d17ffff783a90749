// Every compile target behind one entry point. Back ends load lazily: a command pays only
// for the target it compiles.

import { checkIrVersion, type Artifact, type CompileOptions } from './artifact.js';
import type { IRDocument } from '../ir/types.js';

export type Target = 'rego' | 'wasm' | 'gatekeeper' | 'kyverno';
export const TARGETS: readonly Target[] = ['rego', 'wasm', 'gatekeeper', 'kyverno'];

const BACKENDS: Record<Target, (ir: IRDocument, o: CompileOptions) => Promise<Artifact[]>> = {
  rego: async (ir, o) => (await import('./rego/index.js')).compileRego(ir, o),
  wasm: async (ir, o) => (await import('./wasm/index.js')).compileWasm(ir, o),
  gatekeeper: async (ir, o) => (await import('./gatekeeper/index.js')).compileGatekeeper(ir, o),
  kyverno: async (ir, o) => (await import('./kyverno/index.js')).compileKyverno(ir, o),
};

export async function compileTargets(ir: IRDocument, target: Target | 'all', opts: CompileOptions): Promise<Artifact[]> {
  checkIrVersion(ir);
  if (target !== 'all') return BACKENDS[target](ir, opts);
  const all: Artifact[] = [];
  for (const t of TARGETS) for (const a of await BACKENDS[t](ir, opts)) all.push({ ...a, path: `${t}/${a.path}` });
  return all;
}

