// Which images a Kubernetes object runs. The rule is the compiled Gatekeeper template's
// (templates/gatekeeper/template.rego.hbs), so a CI gate on manifests checks exactly the
// images admission will check: Pods, the pod templates of workload controllers, and
// CronJobs' job templates; containers, init containers and ephemeral containers.

export const WORKLOAD_KINDS: ReadonlySet<string> = new Set([
  'DaemonSet',
  'Deployment',
  'Job',
  'ReplicaSet',
  'ReplicationController',
  'StatefulSet',
]);

export const CONTAINER_FIELDS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

export interface ObjectImage {
  image: string;
  /** Where the image sits in the object, e.g. `spec.template.spec.containers[0].image`. */
  path: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function child(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined;
}

/** The pod spec of an object and its path, or null for kinds that run no pods. */
export function podSpecOf(object: Record<string, unknown>): { spec: unknown; path: string } | null {
  const kind = object.kind;
  if (kind === 'Pod') return { spec: object.spec, path: 'spec' };
  if (typeof kind === 'string' && WORKLOAD_KINDS.has(kind)) {
    return { spec: child(child(object.spec, 'template'), 'spec'), path: 'spec.template.spec' };
  }
  if (kind === 'CronJob') {
    const job = child(child(object.spec, 'jobTemplate'), 'spec');
    return { spec: child(child(job, 'template'), 'spec'), path: 'spec.jobTemplate.spec.template.spec' };
  }
  return null;
}

/** Every string image of the object's pod spec, in field order; non-strings are ignored, as the template does. */
export function imagesOf(object: Record<string, unknown>): ObjectImage[] {
  const pod = podSpecOf(object);
  if (!pod || !isObject(pod.spec)) return [];
  const found: ObjectImage[] = [];
  for (const field of CONTAINER_FIELDS) {
    const list = pod.spec[field];
    if (!Array.isArray(list)) continue;
    list.forEach((container, i) => {
      const image = child(container, 'image');
      if (typeof image === 'string') found.push({ image, path: `${pod.path}.${field}[${i}].image` });
    });
  }
  return found;
}
