// The baseline forward built like kubebridge's fallback tunnel: a local listener where
// each accepted connection gets a port-forward WebSocket of its own (kubebridge's
// `openForward`, with backpressure both ways), what the tunnels ride where the API server
// refuses SPDY. Runs in a process of its own, as `kubectl port-forward` does.
// Usage: ws-forwarder.mjs KUBECONFIG NAMESPACE POD PORT
import { KubeConfig } from '@kubernetes/client-node';
import { cachedHttpsOptions } from '../../out/server/cluster/https-options.js';
import { apiEndpoint } from '../../out/server/cluster/api-endpoint.js';
import { openForward } from '../../out/server/cluster/port-forward.js';
import { serveForwards } from './forward-listener.mjs';

const [kubeconfig, namespace, pod, port] = process.argv.slice(2);
const config = new KubeConfig();
config.loadFromFile(kubeconfig);
const endpoint = apiEndpoint(config, cachedHttpsOptions(config));

serveForwards(() => openForward(endpoint, { namespace, pod, port: Number(port) }));
