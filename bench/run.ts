// `npm run bench`: every suite's figures in one table. A suite is a module in bench/
// exporting `run(): Promise<BenchRow[]>`; pass names to run only some (`npm run bench -- engine`).
import { printTable, type BenchRow } from './harness.js';

const SUITES = ['engine', 'selection', 'expr', 'wasm', 'crypto', 'verify', 'cache', 'serve', 'lint', 'plugins', 'engines'] as const;

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const rows: BenchRow[] = [];
  for (const name of SUITES) {
    if (only.length > 0 && !only.includes(name)) continue;
    const mod = (await import(`./${name}.js`)) as { run: () => Promise<BenchRow[]> };
    console.error(`bench: ${name} …`);
    rows.push(...(await mod.run()));
  }
  printTable(rows);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
