// Parity against a real `opa` binary: run on purpose with
//   npx vitest run --config test/opa/vitest.config.ts
// (meant as `npm run test:opa`); the normal suite never includes these files.

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/opa/**/*.opa.ts'],
    testTimeout: 600_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
