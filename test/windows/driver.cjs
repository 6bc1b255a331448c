// The Windows side of the Windows phase, run by the Windows node.exe under wine, as Visual
// Studio would run kubebridge: it starts the Windows executables with real Windows pipes and
// lends them to the Linux test over loopback TCP (the network is the host's). Unix pipes
// cannot be handed to a Windows process, so this process stands between.
//
//   node.exe driver.cjs PORT
//
// It connects to 127.0.0.1:PORT and reads one JSON command per line, answering each with one
// line `{id, result}` or `{id, error}`:
//   serve {file, args, env}   starts a program with piped stdio, then opens a second
//                             connection that starts with the line {"stdio": id} and carries
//                             the program's stdin and stdout byte for byte (the Content-Length
//                             frames of JSON-RPC); its end answers {code, stderr}
//   run {file, args, env, cwd} runs a program to its end: {code, stdout, stderr}
//   read {path} / write {path, base64}   a file's bytes as Windows reads and writes them
//   listen {}                 an HTTP server on 127.0.0.1 standing for the developer's process
//   info {}                   what kubebridge sees of this machine: user, temp folder, env
'use strict';
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { readFileSync, writeFileSync } = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');

const port = Number(process.argv[2]);
const control = net.connect(port, '127.0.0.1');
const reply = (id, body) => control.write(JSON.stringify({ id, ...body }) + '\n');
const children = new Set();

const childEnv = (extra) => ({ ...process.env, ...extra });

function serve(id, { file, args = [], env = {} }) {
	const child = spawn(file, args, { env: childEnv(env), stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
	children.add(child);
	let stderr = '';
	child.stderr.on('data', (d) => { stderr += d; });
	const stdio = net.connect(port, '127.0.0.1', () => {
		stdio.write(JSON.stringify({ stdio: id }) + '\n');
		stdio.pipe(child.stdin);
		child.stdout.pipe(stdio);
	});
	stdio.on('error', () => child.stdin.destroy());
	child.on('error', (error) => reply(id, { error: error.message }));
	child.on('close', (code) => {
		children.delete(child);
		stdio.end();
		reply(id, { result: { code, stderr } });
	});
}

function run(id, { file, args = [], env = {}, cwd }) {
	const child = spawn(file, args, { env: childEnv(env), cwd, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (d) => { stdout += d; });
	child.stderr.on('data', (d) => { stderr += d; });
	child.on('error', (error) => reply(id, { error: error.message }));
	child.on('close', (code) => reply(id, { result: { code, stdout, stderr } }));
}

function listen(id) {
	const marker = `windows-${randomBytes(6).toString('hex')}`;
	let seq = 0;
	const server = http.createServer((req, res) => {
		const body = JSON.stringify({ marker, path: req.url, seq: ++seq, platform: process.platform });
		res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
	});
	server.listen(0, '127.0.0.1', () => reply(id, { result: { port: server.address().port, marker } }));
}

const ops = {
	serve,
	run,
	listen,
	read: (id, { path }) => {
		try {
			reply(id, { result: { base64: readFileSync(path).toString('base64') } });
		} catch (error) {
			reply(id, { result: { base64: null, code: error.code } });
		}
	},
	write: (id, { path, base64 }) => {
		writeFileSync(path, Buffer.from(base64, 'base64'));
		reply(id, { result: {} });
	},
	info: (id) => reply(id, { result: { platform: process.platform, user: os.userInfo().username, tmpdir: os.tmpdir(), env: process.env } }),
};

let buffered = '';
control.on('data', (chunk) => {
	buffered += chunk;
	let end;
	while ((end = buffered.indexOf('\n')) >= 0) {
		const { id, op, params } = JSON.parse(buffered.slice(0, end));
		buffered = buffered.slice(end + 1);
		try {
			if (!ops[op]) throw new Error(`unknown op ${op}`);
			ops[op](id, params ?? {});
		} catch (error) {
			reply(id, { error: error.message });
		}
	}
});
// The test going away ends this process and what it started, so the namespace can end.
control.on('close', () => {
	for (const child of children) child.kill();
	process.exit(0);
});
control.on('error', () => process.exit(1));
