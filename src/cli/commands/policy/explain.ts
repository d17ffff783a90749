// `policy explain FILE [--image REF]`: inheritance origins, and policy selection for an image.

import { addFormatOption, formatOf, type FormatFlags } from '../../flags.js';
import type { Command } from 'commander';
import { explainImage, explainPolicies, type ExplainedPolicy, type ExplainedValue, type ImageExplanation } from '../../../explain/explain.js';
import { out, safeJson, safeText } from '../../io.js';
import { escapeLines } from '../../../text/escape.js';
import { loadPolicyOrFail } from '../../policy-file.js';

function origin(v: { from: string; at: string | null }): string {
  return safeText(v.at ? `${v.from} (${v.at})` : v.from);
}

function row(label: string, v: ExplainedValue<unknown>): string {
  const shown = v.value === null ? '—' : typeof v.value === 'string' ? v.value : JSON.stringify(v.value);
  return `  ${label.padEnd(14)} ${safeText(shown).padEnd(40)} ← ${origin(v)}\n`;
}

export function renderPolicies(ps: readonly ExplainedPolicy[], unmatched: string): string {
  let t = `unmatched: ${unmatched}\n`;
  for (const p of ps) {
    t += `\npolicy ${p.name}  (${safeText(p.at)})${p.description ? ` — ${safeText(p.description)}` : ''}\n`;
    t += `  ${'chain'.padEnd(14)} ${p.chain.join(' → ')}\n`;
    for (const s of p.scopes) {
      t += `  ${'scope'.padEnd(14)} ${safeText(s.glob).padEnd(40)}   matched against ${s.target === 'name' ? 'image.name' : 'image.name:tag'}; ${s.specificity.literals} literal, ${s.specificity.doubleStars} **, ${s.specificity.singles} */?\n`;
    }
    t += row('signature', p.signature);
    if (p.trustedDIDs.length === 0) t += `  ${'trustedDIDs'.padEnd(14)} ${'(any DID)'.padEnd(40)} ← built-in\n`;
    for (const d of p.trustedDIDs) t += row('trustedDIDs', d);
    t += row('minSignatures', p.minSignatures);
    t += row('maxAge', p.maxAge);
    t += row('expr', p.expr);
    t += row('when', p.when);
    t += row('action', p.action);
  }
  return escapeLines(t);
}

export function renderImage(e: ImageExplanation): string {
  let t = `image ${safeText(e.image)}\n`;
  if (e.normalized) {
    const n = e.normalized;
    t += `  normalized: ${safeText(`${n.name}${n.tag ? `:${n.tag}` : ''}${n.digest ? `@${n.digest}` : ''} (registry ${n.registry}, repository ${n.repository}, namespace ${n.namespace})`)}\n`;
  }
  if (e.candidates.length === 0 && e.normalized) t += '  no policy scope matches this image\n';
  else if (e.candidates.length > 0) t += '  candidates, most specific first:\n';
  e.candidates.forEach((c, i) => {
    t += `  ${String(i + 1).padStart(2)}. ${c.chosen ? '✓' : ' '} ${c.policy.padEnd(24)} scope ${safeText(c.scope)}\n        ${safeText(c.reason)}\n`;
  });
  t += `  → ${safeText(e.outcome)}\n`;
  return escapeLines(t);
}

export function registerExplain(policy: Command): void {
  const cmd = policy
    .command('explain')
    .description('show every policy after inheritance, and which policy applies to an image and why')
    .argument('<file>', 'trust policy file')
    .option('--image <ref>', 'explain policy selection for this image reference')
    .option('--owner <did>', 'the image owner DID, for `when` conditions that read `owner`', '');
  addFormatOption(cmd, { primary: 'output', choices: ['text', 'json'], help: 'output format' })
    .addHelpText('after', '\nExample:\n  atcr-verify policy explain policies/production.yaml --image atcr.io/acme/prod-api:1.4')
    .action(async (file: string, opts: { image?: string; owner: string } & FormatFlags) => {
      const format = formatOf(opts);
      const { ir, compilation } = await loadPolicyOrFail(file);
      const policies = explainPolicies(compilation.resolved, ir);
      const image = opts.image !== undefined ? explainImage(ir, opts.image, opts.owner) : null;
      if (format === 'json') {
        await out(safeJson({ file: ir.source.file, unmatched: ir.unmatched, policies, image }) + '\n');
      } else {
        await out(image ? `${renderImage(image)}\n${renderPolicies(policies, ir.unmatched)}` : renderPolicies(policies, ir.unmatched));
      }
    });
}
