// Names and fixed choices shared by the Gatekeeper objects, so the template, the
// constraints, the provider and the docs cannot drift apart.

import type { Effect } from '../../ir/decision.js';

/** Kind of the constraints; the ConstraintTemplate's name must be its lower case. */
export const CONSTRAINT_KIND = 'AtcrTrustPolicy';
export const TEMPLATE_NAME = CONSTRAINT_KIND.toLowerCase();
/** Package of the template's own Rego, and of the compiled policy as a library. */
export const TEMPLATE_PACKAGE = 'atcr.gatekeeper';
export const LIB_PACKAGE = 'lib.atcr.trust';

export const PROVIDER_NAME = 'atcr-verify';
/** The provider of the digest-pinning mutation (`--pin-digests`). */
export const MUTATE_PROVIDER_NAME = 'atcr-verify-mutate';
export const MUTATE_PROVIDER_PATH = '/gatekeeper/v1/mutate';
export const DEFAULT_SERVICE_URL = 'https://atcr-verify.atcr-system.svc';
/** The service's Gatekeeper endpoint, appended to `serviceUrl` (like Kyverno's). */
export const PROVIDER_PATH = '/gatekeeper/v1/provider';
/** Seconds; Gatekeeper's webhook itself times out at 3 s by default. */
export const PROVIDER_TIMEOUT_SECONDS = 2;
export const CA_BUNDLE_PLACEHOLDER = 'REPLACE-WITH-BASE64-PEM-CA-BUNDLE';

export const DEFAULT_EXCLUDED_NAMESPACES = ['kube-system', 'gatekeeper-system'];

/** A non-allow decision effect and the enforcementAction of the constraint reporting it. */
export const ENFORCEMENT_ACTIONS: Readonly<Record<Exclude<Effect, 'allow'>, string>> = {
  deny: 'deny',
  audit: 'dryrun',
  warn: 'warn',
};

/** Resources whose pod specs hold container images (template.rego.hbs reads the same). */
export const MATCH_KINDS = [
  { apiGroups: [''], kinds: ['Pod', 'ReplicationController'] },
  { apiGroups: ['apps'], kinds: ['DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet'] },
  { apiGroups: ['batch'], kinds: ['CronJob', 'Job'] },
];
