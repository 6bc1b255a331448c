// The "local process" of the tunnel benchmark: a TCP echo on 127.0.0.1, in a process of
// its own as a developer's service would be. Prints its port as one JSON line.
import net from 'node:net';

const server = net.createServer({ noDelay: true }, (socket) => {
	socket.on('error', () => socket.destroy());
	socket.pipe(socket);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
process.on('SIGTERM', () => process.exit(0));
