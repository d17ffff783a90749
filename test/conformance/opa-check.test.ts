// Every generated module passes `opa check --strict` in the pinned OPA: the Rego module of
// each corpus document, and the Gatekeeper template (its glue and the policy library, Rego
// v1 as the template declares it) with external_data declared by a capabilities file.

import { describe, expect, it } from 'vitest';
import { libraryRego, templateRego } from '../../src/backends/gatekeeper/index.js';
import { renderModule } from '../../src/backends/rego/index.js';
import { gatekeeperCapabilities, opaCheck, tempDir, writeFiles } from '../opa/opa.js';
import { DEFAULT_SEED, randomGroups, scenarioGroups, suiteGroups } from './corpus.js';

describe('opa check --strict', () => {
  it('accepts the Rego module and the Gatekeeper template of every corpus document', async () => {
    const groups = [...(await suiteGroups()), ...(await scenarioGroups()), ...randomGroups(DEFAULT_SEED, 60, 1)];
    const dir = tempDir();
    // One process for all modules: each document under a package of its own.
    const modules = writeFiles(dir, Object.fromEntries(groups.map((g, i) => [`m${i}.rego`, renderModule(g.ir, `corpus.g${i}`)])));
    expect(() => opaCheck(modules)).not.toThrow();
    const caps = gatekeeperCapabilities(dir);
    for (const [i, g] of groups.entries()) {
      const sub = tempDir();
      const files = writeFiles(sub, { 'template.rego': templateRego(g.ir), 'lib.rego': libraryRego(g.ir) });
      try {
        opaCheck(files, ['--capabilities', caps, '--v1-compatible']);
      } catch (err) {
        throw new Error(`${g.id}: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`);
      }
    }
  }, 300_000);
});
