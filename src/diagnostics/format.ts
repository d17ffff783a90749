// Lint output formats of cli.md: text, json, sarif (2.1.0) and GitHub workflow commands.

import { counted, type Diagnostic } from './diagnostic.js';
import { RULES } from './rules.js';
import { escapeText, stringifyJson } from '../text/escape.js';

export type LintFormat = 'text' | 'json' | 'sarif' | 'github';

// The one escaping policy of every output (src/text/escape.ts), under the names other
// modules know it by.
export { escapeText as escapeControls, escapeJson as escapeJsonText } from '../text/escape.js';

/** Text and GitHub output leave suppressed findings out (the command reports how many). */
export function formatText(ds: readonly Diagnostic[]): string {
  return counted(ds).map((d) => `${escapeText(d.file)}:${d.line}:${d.column} ${d.severity} ${d.rule} ${escapeText(d.message)}\n`).join('');
}

export function formatJson(ds: readonly Diagnostic[]): string {
  const rows = ds.map((d) => ({
    file: d.file,
    line: d.line,
    column: d.column,
    severity: d.severity,
    rule: d.rule,
    message: d.message,
    ...(d.suppressed ? { suppressed: { kind: d.suppressed.kind, reason: d.suppressed.reason } } : {}),
  }));
  return stringifyJson(rows, 2) + '\n';
}

/**
 * A SARIF artifact location is a URI: a relative path stays relative (code scanning maps it
 * to the repository), an absolute one becomes a file: URI, and every segment is
 * percent-encoded (a space or `#` in a file name would otherwise break the reference).
 */
export function sarifUri(file: string): string {
  // A lone surrogate cannot be percent-encoded: it stands for the replacement character.
  const p = file.replace(/\p{Cs}/gu, '\ufffd').split('\\').join('/');
  const drive = /^[A-Za-z]:\//.test(p) ? p.slice(0, 2) : '';
  const rest = drive ? p.slice(2) : p;
  const encoded = rest.split('/').map(encodeURIComponent).join('/');
  if (drive) return `file:///${drive}${encoded}`;
  return p.startsWith('/') ? `file://${encoded}` : encoded;
}

export function formatSarif(ds: readonly Diagnostic[], toolVersion: string): string {
  const used = [...new Set(ds.map((d) => d.rule))].sort();
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'atcr-verify',
            version: toolVersion,
            informationUri: 'https://github.com/atcr-verify/atcr-verify',
            rules: used.map((id) => ({
              id,
              shortDescription: { text: RULES[id]?.summary ?? id },
              defaultConfiguration: { level: RULES[id]?.severity === 'warning' ? 'warning' : 'error' },
            })),
          },
        },
        results: ds.map((d) => ({
          ruleId: d.rule,
          ruleIndex: used.indexOf(d.rule),
          level: d.severity === 'warning' ? 'warning' : 'error',
          message: { text: d.message },
          ...(d.suppressed ? { suppressions: [{ kind: 'inSource', justification: d.suppressed.reason }] } : {}),
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: sarifUri(d.file) },
                region: { startLine: d.line, startColumn: d.column },
              },
            },
          ],
        })),
      },
    ],
  };
  return stringifyJson(sarif, 2) + '\n';
}

// GitHub workflow commands need %, CR and LF escaped in data, plus : and , in properties;
// their own encoding of a line break comes first, the escaping of every other control after.
function ghData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function ghProp(s: string): string {
  return ghData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function formatGithub(ds: readonly Diagnostic[]): string {
  return counted(ds)
    .map(
      (d) =>
        `::${d.severity === 'warning' ? 'warning' : 'error'} file=${escapeText(ghProp(d.file))},line=${d.line},col=${d.column},title=${ghProp(d.rule)}::${escapeText(ghData(d.message))}\n`,
    )
    .join('');
}

export function formatDiagnostics(ds: readonly Diagnostic[], format: LintFormat, toolVersion: string): string {
  switch (format) {
    case 'text':
      return formatText(ds);
    case 'json':
      return formatJson(ds);
    case 'sarif':
      return formatSarif(ds, toolVersion);
    case 'github':
      return formatGithub(ds);
  }
}
