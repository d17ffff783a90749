// The standalone executable's first code (scripts/build-sea.mjs bundles from here). The
// plugin contracts are decided before the CLI is loaded: containerd starts one process
// per pull, and that process should load the verifier and nothing else.

import { pluginInvocation } from './invocation.js';

const invocation = pluginInvocation(process.argv.slice(2), process.env);
if (invocation) void import('./run.js').then((m) => m.runPlugin(invocation));
else void import('../cli/main.js');
