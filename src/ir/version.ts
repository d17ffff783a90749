// The one IR-version check of every engine and back end.

import { IR_VERSION } from './types.js';

/** Why this IR cannot be read, or null when its version is the one this build speaks. */
export function irVersionProblem(ir: { irVersion?: unknown }): string | null {
  return ir.irVersion === IR_VERSION ? null : `IR version ${String(ir.irVersion)} is not supported (expected ${IR_VERSION})`;
}
