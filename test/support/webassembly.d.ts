// Node has the WebAssembly global, but @types/node 20 does not declare it (TypeScript only
// does in lib.dom, which would also declare browser globals Node lacks). The few members
// the tests that instantiate our modules by hand use, as the JS API spec defines them.
declare namespace WebAssembly {
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number });
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
  class Global {
    value: unknown;
  }
  class Module {
    constructor(bytes: BufferSource);
  }
  class Instance {
    readonly exports: Record<string, unknown>;
  }
  type BufferSource = ArrayBufferView | ArrayBuffer;
  type Imports = Record<string, Record<string, unknown>>;
  function instantiate(bytes: BufferSource, imports?: Imports): Promise<{ module: Module; instance: Instance }>;
}
