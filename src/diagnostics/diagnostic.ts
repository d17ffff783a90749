// Findings are data (style.md): every stage appends to a list instead of throwing.

export type Severity = 'error' | 'warning';

export interface Location {
  file: string;
  line: number; // 1-based
  column: number; // 1-based
}

export interface Diagnostic extends Location {
  rule: string;
  severity: Severity;
  message: string;
  /** Set when a suppression comment covers the finding: still reported, never counted. */
  suppressed?: Suppression;
}

export interface Suppression {
  /** `inline`: a comment on the finding's line or its policy's; `file`: `ignore-file`. */
  kind: 'inline' | 'file';
  reason: string;
  /** Where the suppression comment is. */
  at: Location;
}

/** Findings that count for the exit code (and `--strict`): the unsuppressed ones. */
export function counted(ds: readonly Diagnostic[]): Diagnostic[] {
  return ds.filter((d) => !d.suppressed);
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}

/** Sorted by file, line, column, rule; a second finding of the same rule at the same place is dropped. */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  const sorted = [...ds].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.column - b.column ||
      (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
  for (const d of sorted) {
    const key = `${d.file}\0${d.line}\0${d.column}\0${d.rule}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}
