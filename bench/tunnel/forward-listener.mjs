// The listener both plain forwarders share: each accepted connection is piped both ways
// through a forward `open` gives it, and either side's end or error ends the other. It
// prints its port as one JSON line, as the benchmark waits for.
import net from 'node:net';

export function serveForwards(open) {
	const server = net.createServer({ noDelay: true }, (socket) => {
		socket.pause();
		open().then((forward) => {
			socket.pipe(forward).pipe(socket);
			socket.on('error', () => forward.destroy());
			forward.on('error', () => socket.destroy());
			socket.on('close', () => forward.destroy());
			forward.on('close', () => socket.destroy());
			socket.resume();
		}, (error) => {
			process.stderr.write(`forward failed: ${error.message}\n`);
			socket.destroy();
		});
	});
	server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
	process.on('SIGTERM', () => process.exit(0));
}
