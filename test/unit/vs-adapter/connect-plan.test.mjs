import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { planConnect, selectProject } from '../../../out/vs-adapter/session/connect-plan.js';
import { discoverWorkspace } from '../../../out/vs-adapter/project/project-discovery.js';
import { CMAKE_LAUNCH_VS, NAMED_CSPROJ, SHOP_SLN, WEBAPI_LAUNCH_SETTINGS, WEB_CSPROJ, tree } from './fixtures.mjs';

function withShop(body) {
	const t = tree({
		'Shop.sln': SHOP_SLN,
		'src/Shop.Api/Shop.Api.csproj': WEB_CSPROJ,
		'src/Shop.Api/Properties/launchSettings.json': WEBAPI_LAUNCH_SETTINGS,
		'src/Shop.Orders/Shop.Orders.csproj': NAMED_CSPROJ,
	});
	try {
		return body(t, discoverWorkspace(t.root));
	} finally {
		t.cleanup();
	}
}

test('the selected project, its matched service and its Kestrel port make the plan', () => withShop((t, workspace) => {
	const project = selectProject(workspace, t.path('src/Shop.Api'));
	const plan = planConnect(project, null, ['shop-api', 'shop-orders', 'redis'], {});
	assert.equal(plan.service, 'shop-api');
	assert.equal(plan.localPort, 5000);
	assert.equal(plan.namespace, undefined);
	assert.deepEqual(plan.profile, {
		file: t.path('src/Shop.Api/Properties/launchSettings.json'), kind: 'launchSettings', entry: 'kubebridge: shop-api', applicationUrl: 'http://localhost:5000',
	});
}));

test('the command line beats kubebridge.yaml, which beats the project', () => withShop((t, workspace) => {
	const project = selectProject(workspace, t.path('src/Shop.Api'));
	const config = { version: 1, targets: [{ service: 'checkout', namespace: 'shop', container: 'app', ports: [{ remote: 8080, local: 7000 }] }] };
	const fromConfig = planConnect(project, config, ['shop-api'], {});
	assert.deepEqual([fromConfig.service, fromConfig.namespace, fromConfig.container, fromConfig.localPort], ['checkout', 'shop', 'app', 7000]);
	const fromArgs = planConnect(project, config, ['shop-api'], { service: 'shop-api', localPort: 9000, namespace: 'dev' });
	assert.deepEqual([fromArgs.service, fromArgs.namespace, fromArgs.container, fromArgs.localPort], ['shop-api', 'dev', undefined, 9000]);
	assert.equal(fromArgs.profile.entry, 'kubebridge: shop-api');
}));

test('no selected project among several, no matching service, a tie, or no port: typed errors that say what to do', () => withShop((t, workspace) => {
	assert.throws(() => selectProject(workspace, null), (e) => e.data.reason === 'projectNotFound' && /Shop\.Api, Shop\.Orders\.Service/.test(e.message) && /Solution Explorer/.test(e.data.hint));
	assert.throws(() => selectProject(workspace, join(t.root, 'elsewhere')), (e) => e.data.reason === 'projectNotFound');
	const api = selectProject(workspace, t.path('src/Shop.Api'));
	assert.throws(() => planConnect(api, null, ['billing'], {}), (e) => e.code === -33604 && e.data.reason === 'serviceNotProposed' && /No service/.test(e.message));
	assert.throws(() => planConnect(api, null, ['shop-api', 'shop_api'], {}), (e) => e.data.reason === 'serviceNotProposed' && /Several services .*: shop_api, shop-api\./.test(e.message));
	const orders = selectProject(workspace, t.path('src/Shop.Orders'));
	assert.throws(() => planConnect(orders, null, ['shop-orders'], {}), (e) => e.data.reason === 'localPortNotProposed' && /--local-port/.test(e.data.hint));
	assert.equal(planConnect(orders, null, ['shop-orders'], { localPort: 8081 }).profile.applicationUrl, 'http://localhost:8081');
}));

test('an Open Folder root gets its profile in .vs/launch.vs.json', () => {
	const t = tree({ 'CMakeLists.txt': 'project(inventory)\n', '.vs/launch.vs.json': CMAKE_LAUNCH_VS });
	try {
		const workspace = discoverWorkspace(t.root);
		const plan = planConnect(selectProject(workspace, null), null, ['inventory'], { localPort: 8080 });
		assert.deepEqual(plan.profile, { file: t.path('.vs/launch.vs.json'), kind: 'launchVs', entry: 'kubebridge: inventory', applicationUrl: null });
	} finally {
		t.cleanup();
	}
});
