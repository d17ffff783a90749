// `--target wasm`: an OPA-ABI 1.2 WebAssembly module with the entrypoint
// `atcr/trust/decision`, made of the prebuilt AssemblyScript runtime plus the encoded IR.
// See docs/compile-wasm.md.

import { loadPolicy } from '@open-policy-agent/opa-wasm';
import type { Artifact, CompileOptions } from '../artifact.js';
import type { Decision } from '../../ir/decision.js';
import type { IRDocument } from '../../ir/types.js';
import { encodeIr } from './encode.js';
import { runtimeBytes } from './runtime-file.js';
import { spliceIr } from './splice.js';

export const WASM_ENTRYPOINT = 'atcr/trust/decision';
export const WASM_ARTIFACT = 'policy.wasm';
/** The module's bytes. It needs one page of memory at instantiation and grows the rest itself. */
export function buildWasmModule(ir: IRDocument): Uint8Array {
  return spliceIr(runtimeBytes(), encodeIr(ir));
}

export async function compileWasm(ir: IRDocument, _opts?: CompileOptions): Promise<Artifact[]> {
  return [{ path: WASM_ARTIFACT, content: buildWasmModule(ir) }];
}

export interface WasmEngine {
  evaluate(input: unknown): Decision;
  close?(): void;
}

/** Loads the compiled module through the OPA SDK, as any OPA user would. */
export async function loadWasmEngine(ir: IRDocument): Promise<WasmEngine> {
  const policy = await loadPolicy(buildWasmModule(ir));
  policy.setData({});
  return {
    evaluate(input: unknown): Decision {
      const [first] = policy.evaluate(input, WASM_ENTRYPOINT) as Array<{ result: Decision }>;
      // The module defines the entrypoint for every input: an empty result set is a broken module.
      if (!first) throw new Error(`internal error: the WebAssembly module gave no result for ${WASM_ENTRYPOINT}`);
      return first.result;
    },
  };
}
