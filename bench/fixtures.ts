// Generated policy documents and inputs for benchmarks: realistic mixes of team scopes,
// tag scopes, `**`, `when` and `expr`, at any size.

export function policyDocument(n: number): string {
  const lines = [
    'version: 1',
    'defaults:',
    '  require:',
    '    trustedDIDs: [did:plc:security0team0000000000]',
    '    maxAge: 90d',
    'unmatched: deny',
    'policies:',
  ];
  for (let i = 0; i < n; i++) {
    const team = `team-${i}`;
    switch (i % 4) {
      case 0:
        lines.push(`  - name: p${i}`, `    scope: "atcr.io/${team}/*"`, `    require:`, `      trustedDIDs: [did:plc:${team}0signer, owner]`);
        break;
      case 1:
        lines.push(
          `  - name: p${i}`,
          `    scope: ["atcr.io/${team}/app-*:v*", "registry.example.com/${team}/**"]`,
          `    when: 'image.tag != "latest"'`,
          `    require:`,
          `      trustedDIDs: [did:plc:${team}0signer]`,
          `      maxAge: 30d`,
        );
        break;
      case 2:
        lines.push(
          `  - name: p${i}`,
          `    scope: "atcr.io/${team}/**"`,
          `    require:`,
          `      trustedDIDs: [did:plc:${team}0signer, did:plc:${team}0second]`,
          `      minSignatures: 2`,
          `      expr: 'signature.pds startsWith "https://pds.example.com" and signature.age < 60d'`,
        );
        break;
      default:
        lines.push(`  - name: p${i}`, `    scope: "ghcr.io/${team}/?*"`, `    action: audit`, `    require:`, `      trustedDIDs: [did:plc:${team}0signer]`);
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * Inputs spread over the document's teams, 3 signatures each, mostly allowed. `minimal`
 * keeps only the fields engines need (valid, did, signedAt, pds) — about half the JSON.
 */
export function inputs(n: number, teams: number, now = '2026-11-25T12:00:00Z', minimal = false): object[] {
  const out: object[] = [];
  for (let k = 0; k < n; k++) {
    const i = (k * 7919) % teams;
    const team = `team-${i}`;
    const image =
      i % 4 === 0
        ? `atcr.io/${team}/svc:1.${k % 10}`
        : i % 4 === 1
          ? `atcr.io/${team}/app-web:v${k % 5}`
          : i % 4 === 2
            ? `atcr.io/${team}/deep/path/svc:2`
            : `ghcr.io/${team}/tool:3`;
    out.push({
      image,
      owner: `did:plc:${team}0owner`,
      now,
      signatures: minimal
        ? [
            { valid: true, did: `did:plc:${team}0signer`, pds: 'https://pds.example.com', signedAt: '2026-11-20T08:00:00Z' },
            { valid: true, did: `did:plc:${team}0second`, pds: 'https://pds.example.com', signedAt: '2026-11-21T08:00:00.250Z' },
            { valid: false, did: 'did:plc:mallory' },
          ]
        : [
        { valid: true, did: `did:plc:${team}0signer`, pds: 'https://pds.example.com', algorithm: 'ES256K', signedAt: '2026-11-20T08:00:00Z' },
        { valid: true, did: `did:plc:${team}0second`, pds: 'https://pds.example.com', algorithm: 'ES256', signedAt: '2026-11-21T08:00:00.250Z' },
        { valid: false, did: 'did:plc:mallory', error: { code: 'record-digest-mismatch', message: 'bad' } },
      ],
    });
  }
  return out;
}
