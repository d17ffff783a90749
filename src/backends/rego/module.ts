// Renders the Rego module of an IR document from templates/rego/module.rego.hbs.

import type { IRDocument } from '../../ir/types.js';
import { checkIrVersion } from '../artifact.js';
import { loadTemplate } from './templates.js';
import { moduleView } from './view.js';

/** The package of the standalone module (decision.md "Entry points"). */
export const REGO_PACKAGE = 'atcr.trust';

export function renderModule(ir: IRDocument, packageName: string): string {
  checkIrVersion(ir);
  const template = loadTemplate('rego/module.rego.hbs', { helper: 'rego/helper.rego.hbs' });
  // Blank-line runs come from template sections that rendered nothing.
  return template(moduleView(ir, packageName)).replace(/\n{3,}/gu, '\n\n');
}
