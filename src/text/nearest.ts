// "Did you mean …?" for every place that names something unknown: policy parents,
// expression names, commands. One measure, so hints agree across the tool.

/** Levenshtein distance (two-row table). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The candidate closest to `word`, when it is within `limit` edits (default: 2, or a third
 * of the word for long words); a hint far from what was written is noise.
 */
export function nearest<T extends string>(word: string, candidates: Iterable<T>, limit = Math.max(2, Math.floor(word.length / 3))): T | null {
  let best: T | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : null;
}
