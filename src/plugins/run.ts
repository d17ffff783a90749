// Runs a plugin contract to its end: the contract modules are loaded only here, so the
// rest of the CLI never pays for them, and they load none of the CLI's commands.

import type { PluginInvocation } from './invocation.js';

export async function runPlugin(inv: PluginInvocation): Promise<never> {
  let code: number;
  if (inv.mode === 'containerd') code = await (await import('./containerd.js')).containerdVerifier(inv.args);
  else code = await (await import('./ratify.js')).ratifyVerifier(inv.args);
  // Requests still in flight past the verdict (a slow PDS) must not hold the process:
  // containerd counts a verifier that outlives its timeout as an error.
  process.exit(code);
}
