// Lint output formats of cli.md: text, json, sarif (2.1.0) and GitHub workflow commands.

import type { Diagnostic } from './diagnostic.js';
import { RULES } from './rules.js';

export type LintFormat = 'text' | 'json' | 'sarif' | 'github';

/**
 * Escapes control and bidi-override characters, so that text taken from a policy file (a
 * key, a scope, a DID) cannot drive the terminal it is printed on.
 */
export function escapeControls(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Escapes, inside JSON text, the characters JSON.stringify leaves raw (still valid JSON). */
export function escapeJsonText(json: string): string {
  return json.replace(
    // eslint-disable-next-line no-control-regex
    /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function formatText(ds: readonly Diagnostic[]): string {
  return ds.map((d) => `${escapeControls(d.file)}:${d.line}:${d.column} ${d.severity} ${d.rule} ${escapeControls(oneLine(d.message))}\n`).join('');
}

export function formatJson(ds: readonly Diagnostic[]): string {
  const rows = ds.map((d) => ({
    file: d.file,
    line: d.line,
    column: d.column,
    severity: d.severity,
    rule: d.rule,
    message: d.message,
  }));
  return JSON.stringify(rows, null, 2) + '\n';
}

/**
 * A SARIF artifact location is a URI: a relative path stays relative (code scanning maps it
 * to the repository), an absolute one becomes a file: URI, and every segment is
 * percent-encoded (a space or `#` in a file name would otherwise break the reference).
 */
export function sarifUri(file: string): string {
  const p = file.split('\\').join('/');
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
  return JSON.stringify(sarif, null, 2) + '\n';
}

// GitHub workflow commands need %, CR and LF escaped in data, plus : and , in properties.
function ghData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function ghProp(s: string): string {
  return ghData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function formatGithub(ds: readonly Diagnostic[]): string {
  return ds
    .map(
      (d) =>
        `::${d.severity === 'warning' ? 'warning' : 'error'} file=${escapeControls(ghProp(d.file))},line=${d.line},col=${d.column},title=${ghProp(d.rule)}::${escapeControls(ghData(d.message))}\n`,
    )
    .join('');
}

function oneLine(s: string): string {
  return s.replace(/\r?\n/g, ' ');
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
