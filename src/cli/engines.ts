// The engines a command can run a decision on: the native engine, or the compiled
// OPA-ABI WebAssembly module through OPA's own JavaScript SDK.

import type { Decision } from '../ir/decision.js';
import type { IRDocument } from '../ir/types.js';
import { compileEngine } from '../engine/evaluate.js';
import { projectInput } from '../batch/project-input.js';

export type EngineName = 'native' | 'wasm';
export const ENGINE_NAMES: readonly EngineName[] = ['native', 'wasm'];

export interface RunnableEngine {
  name: EngineName;
  evaluate(input: unknown): Decision;
  close(): void;
}

export async function openEngine(name: EngineName, ir: IRDocument): Promise<RunnableEngine> {
  if (name === 'native') {
    const e = compileEngine(ir);
    return { name, evaluate: e, close: () => {} };
  }
  const { loadWasmEngine } = await import('../backends/wasm/index.js');
  const w = await loadWasmEngine(ir);
  // Only what engines read reaches the SDK, which recurses over its whole input.
  return { name, evaluate: (i) => w.evaluate(projectInput(i)), close: () => w.close?.() };
}
