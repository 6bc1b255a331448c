// The demo's "your code": a tiny HTTP server on this machine standing in for the api
// service, started by `kubebridge run` with the api container's environment. Every answer
// says where it ran and what it found in that environment, so a request from inside the
// cluster shows that it reached this machine, configured as the pod would be.
import http from 'node:http';
import { hostname } from 'node:os';

const port = Number(process.argv[2] ?? 3000);
const { GREETING, LOG_LEVEL, POD_NAMESPACE, DB_PASSWORD } = process.env;
http.createServer((req, res) => {
	res.writeHead(200, { 'content-type': 'application/json' });
	res.end(JSON.stringify({
		answeredBy: `the local process on ${hostname()} (pid ${process.pid})`, path: req.url,
		// The secret itself stays out of the answer: only whether the program has it.
		environment: { GREETING, LOG_LEVEL, POD_NAMESPACE, DB_PASSWORD: DB_PASSWORD ? `set (${DB_PASSWORD.length} characters)` : 'missing' },
	}) + '\n');
}).listen(port, '127.0.0.1', () => console.log(`local api listening on 127.0.0.1:${port}`));
