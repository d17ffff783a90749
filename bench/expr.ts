// Expression compile speed (policy load and lint, not the admission path): a typical
// `require.expr`, and a long expression near the 4,096-character limit.
import { measure, type BenchRow } from './harness.js';
import { compileExpr } from '../src/expr/index.js';

export async function run(): Promise<BenchRow[]> {
  const typical = 'signature.age <= 30d and signature.pds startsWith "https://pds.example.com" and image.tag matches "v*"';
  const clause = '(image.namespace in ["alice", "bob", owner] and not image.tag == "latest")';
  const long = Array.from({ length: Math.floor(4000 / (clause.length + 4)) }, () => clause).join(' or ');
  const compile = (text: string) => () => {
    if (!compileExpr(text, 'require').expr) throw new Error(`bench expression does not compile: ${text.slice(0, 60)}`);
  };
  return [
    await measure('expr: compile typical require.expr', compile(typical), { batch: 200 }),
    await measure(`expr: compile ${long.length}-char expression`, compile(long), { batch: 10 }),
  ];
}
