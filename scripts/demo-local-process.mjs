// The demo's "your code": a tiny HTTP server on this machine standing in for the api
// service. Every answer says where it ran, so a request from inside the cluster shows
// that it reached this machine.
import http from 'node:http';
import { hostname } from 'node:os';

const port = Number(process.argv[2] ?? 3000);
http.createServer((req, res) => {
	res.writeHead(200, { 'content-type': 'application/json' });
	res.end(JSON.stringify({ answeredBy: `the local process on ${hostname()} (pid ${process.pid})`, path: req.url }) + '\n');
}).listen(port, '127.0.0.1', () => console.log(`local api listening on 127.0.0.1:${port}`));
