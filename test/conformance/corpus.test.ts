// One corpus, every engine: the shipped suites, the kernel's scenarios and random
// (IR, input) pairs, decided by every engine and compared with the native engine field for
// field. Differences are allowed only through exceptions.yaml. CONFORMANCE_SEED replays a
// run, CONFORMANCE_REPORT=file writes every difference there; CONFORMANCE_DOCUMENTS × CONFORMANCE_INPUTS sets the random part (default 60 × 35).

import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEED, randomGroups, scenarioGroups, suiteGroups } from './corpus.js';
import { gatekeeper, kyverno, kyvernoModel, native, opaBundle, opaRego, opaWasm, ourWasm, regoModel } from './engines.js';
import { loadExceptions, runCorpus } from './runner.js';

const SEED = Number(process.env.CONFORMANCE_SEED ?? DEFAULT_SEED);
const DOCUMENTS = Number(process.env.CONFORMANCE_DOCUMENTS ?? 60);
const INPUTS = Number(process.env.CONFORMANCE_INPUTS ?? 35);

describe('conformance corpus', () => {
  it(`every engine decides like the native engine (seed ${SEED})`, async () => {
    console.log(`conformance: seed ${SEED} (CONFORMANCE_SEED=${SEED} replays this run), ${DOCUMENTS} random documents × ${INPUTS} inputs`);
    const groups = [...(await suiteGroups()), ...(await scenarioGroups()), ...randomGroups(SEED, DOCUMENTS, INPUTS)];
    const random = groups.filter((g) => g.kind === 'random').reduce((n, g) => n + g.cases.length, 0);
    expect(random).toBeGreaterThanOrEqual(2000);
    const report = await runCorpus(groups, [native, ourWasm, regoModel, kyvernoModel, opaRego, opaBundle, opaWasm, gatekeeper, kyverno], loadExceptions());
    console.log(`conformance: ${report.cases} cases`, JSON.stringify(report.perEngine));
    if (process.env.CONFORMANCE_REPORT) writeFileSync(process.env.CONFORMANCE_REPORT, report.failures.join('\n') + '\n');
    for (const e of report.unexercised) console.log(`conformance: exception not exercised by this seed: ${e.engine} / ${e.class}`);
    expect(report.failures.slice(0, 40), `${report.failures.length} differences`).toEqual([]);
    expect(report.stale.map((e) => `${e.engine} / ${e.class}: no longer needed, remove it from exceptions.yaml`)).toEqual([]);
  }, 900_000);
});
