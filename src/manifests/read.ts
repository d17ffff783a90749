// Kubernetes manifests as CI has them — files, folders, or `helm template` / `kustomize
// build` output on standard input — into objects with the place each came from. YAML
// streams of many documents and `kind: List` wrappers are both read; anything that is not
// an object with a `kind` is passed over, since rendered charts often hold empty documents.

import { LineCounter, parseAllDocuments } from 'yaml';

/** A rendered chart is rarely over a few MiB; the cap keeps a stray binary from filling memory. */
export const MAX_MANIFEST_BYTES = 32 * 2 ** 20;
/** Documents in one stream, and aliases per document (a billion-laughs stream stops here). */
export const MAX_DOCUMENTS = 20_000;
const MAX_ALIASES = 100;

export interface ManifestObject {
  object: Record<string, unknown>;
  /** `file:line` of the document (or list item) the object came from. */
  source: string;
  kind: string;
  name: string;
  namespace: string;
}

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(object: Record<string, unknown>, source: string): ManifestObject {
  const meta = isObject(object.metadata) ? object.metadata : {};
  return {
    object,
    source,
    kind: typeof object.kind === 'string' ? object.kind : '',
    name: typeof meta.name === 'string' ? meta.name : '',
    namespace: typeof meta.namespace === 'string' ? meta.namespace : '',
  };
}

/** The objects of one YAML (or JSON) stream; `file` names it in errors and sources. */
export function parseManifests(text: string, file: string): ManifestObject[] {
  if (text.length > MAX_MANIFEST_BYTES) throw new ManifestError(`${file}: larger than ${MAX_MANIFEST_BYTES / 2 ** 20} MiB`);
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.length > MAX_DOCUMENTS) throw new ManifestError(`${file}: more than ${MAX_DOCUMENTS} YAML documents`);
  const objects: ManifestObject[] = [];
  for (const doc of list) {
    const at = (offset: number): string => `${file}:${lines.linePos(offset).line}`;
    const error = doc.errors[0];
    if (error) throw new ManifestError(`${at(error.pos[0])}: not valid YAML (${error.code.toLowerCase().replace(/_/g, ' ')})`);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (err) {
      throw new ManifestError(`${at(doc.range[0])}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!isObject(value)) continue;
    const source = at(doc.contents?.range?.[0] ?? doc.range[0]);
    if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
      value.items.forEach((item, i) => {
        if (isObject(item) && typeof item.kind === 'string') objects.push(describe(item, `${source} (items[${i}])`));
      });
    } else if (typeof value.kind === 'string') {
      objects.push(describe(value, source));
    }
  }
  return objects;
}
