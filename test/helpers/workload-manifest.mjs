// The one shape of workload the cluster tests, the reliability stage and the tunnel
// benchmark deploy: one container, pods labelled and selected by `app: <name>`.

/**
 * A Deployment (or, with `kind`, a StatefulSet) of `replicas` pods running `container`.
 * `labels` go on the workload and its pods but not into the selector, which stays
 * `app: <name>` alone, as the Services in front of them select.
 * `spec` adds to the workload's spec (a StatefulSet's serviceName), `pod` to the pods'.
 */
export function oneContainerWorkload(namespace, name, container, { kind = 'Deployment', replicas = 1, labels = {}, spec = {}, pod = {} } = {}) {
	const selector = { app: name };
	const podLabels = { ...labels, ...selector };
	return {
		apiVersion: 'apps/v1', kind, metadata: { name, namespace, labels: podLabels },
		spec: {
			...spec, replicas, selector: { matchLabels: selector },
			template: { metadata: { labels: podLabels }, spec: { ...pod, containers: [container] } },
		},
	};
}
