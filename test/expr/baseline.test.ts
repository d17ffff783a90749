// Every kind of diagnostic, rendered the way a reader checks them: the expression, a
// caret line under the span, then `rule: message`. A change of wording or position shows
// up as a readable diff in __baselines__/diagnostics.txt (update with `vitest -u`).

import { expect, it } from 'vitest';
import { compileExpr, type ExprContext } from '../../src/expr/index.js';

const CASES: [ExprContext, string][] = [
  ['when', 'image.tag = "v1"'],
  ['when', 'image.tag == "v1" && owner == "x"'],
  ['when', "image.tag == 'v1'"],
  ['when', 'image.tag == owner == "x"'],
  ['when', 'image.tag == "v1" owner'],
  ['when', '(image.tag == "v1"'],
  ['when', 'image.tag in ["a" "b"]'],
  ['when', 'image.tag =='],
  ['when', ''],
  ['when', 'owner == "a\\tb"'],
  ['when', 'owner == "abc'],
  ['require', 'signature.age < 5dx'],
  ['require', 'signature.age < 0s'],
  ['require', 'signature.age < 101000d'],
  ['require', 'signature.age < 30'],
  ['when', 'image.tag == 1'],
  ['when', 'image.tga == "v1"'],
  ['when', 'image == "x"'],
  ['when', 'signature.did == owner'],
  ['when', 'image.tag in owner'],
  ['when', 'image.tag in ["a", 1]'],
  ['when', 'image.name matches owner'],
  ['when', 'image.name matches "atcr.io/[a-z]*"'],
  ['when', 'image.tag and true'],
  ['when', 'image.tag'],
  ['require', 'signature.did < "x" or signature.handle startsWith 5 or not signature.pds'],
];

function render(context: ExprContext, text: string): string {
  const r = compileExpr(text, context);
  const lines = [`${context}: ${text}`];
  for (const d of r.diagnostics) {
    const pad = ' '.repeat(context.length + 2 + d.offset);
    lines.push(`${pad}${'^'.repeat(Math.max(1, d.length))}`, `  ${d.rule}: ${d.message}`);
  }
  if (r.expr) lines.push('  (compiles)');
  return lines.join('\n');
}

it('diagnostics match the baseline', async () => {
  const text = CASES.map(([context, expr]) => render(context, expr)).join('\n\n') + '\n';
  await expect(text).toMatchFileSnapshot('./__baselines__/diagnostics.txt');
});
