// The Role a developer needs for kubebridge in a namespace: the one docs/rbac.md shows.
// Every cluster test that drives kubebridge runs as a user bound to it, so the document
// stays true.
export const DEVELOPER_RULES = [
	{ apiGroups: [''], resources: ['services', 'configmaps', 'secrets'], verbs: ['get', 'list'] },
	{ apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'update'] },
	{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create', 'delete', 'deletecollection'] },
	{ apiGroups: [''], resources: ['pods/portforward'], verbs: ['get', 'create'] },
	{ apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
	{ apiGroups: [''], resources: ['serviceaccounts'], verbs: ['create'] },
	{ apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
	{ apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'replicasets'], verbs: ['get', 'list', 'update'] },
	{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'create', 'update', 'delete'] },
	{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['create'] },
];

// What header routing and mirror add (docs/rbac.md): the router Deployment, the originals'
// Service, and the routed Service's selector and routes.
export const ROUTING_RULES = [
	{ apiGroups: [''], resources: ['services'], verbs: ['create', 'update'] },
	{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['create'] },
];
