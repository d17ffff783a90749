// Extra trusted CA certificates (the CLI's --ca-file, the plugins' caFile), checked when
// read. Apart from http.ts so that a process that reads none (a containerd pull
// delegating to a local `serve`) does not load node:crypto for it.

import { X509Certificate } from 'node:crypto';

/**
 * The certificates of a PEM bundle, re-encoded, or an error naming what is wrong: no
 * certificate at all, or a block that does not parse.
 */
export function parseCaCertificates(text: string): string {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error('no PEM certificate (-----BEGIN CERTIFICATE-----) found');
  return blocks
    .map((b, i) => {
      try {
        return new X509Certificate(b).toString();
      } catch (err) {
        throw new Error(`certificate ${i + 1} does not parse: ${err instanceof Error ? err.message : String(err)}`);
      }
    })
    .join('');
}
