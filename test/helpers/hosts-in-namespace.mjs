// Run inside `unshare -m` with a file bind-mounted over /etc/hosts: a session adds its
// block to the default path (the real /etc/hosts of this namespace), then removes it,
// printing what each step did and what the file held while the block was there.
import { readFileSync } from 'node:fs';
import { HostsFile } from '../../out/server/hosts/hosts-file.js';

const hosts = new HostsFile({ sessionId: 'ns-e2e' });
const added = await hosts.add([{ address: '127.1.4.17', names: ['orders', 'orders.shop'] }], 'shop');
const during = readFileSync('/etc/hosts', 'latin1');
const removed = await hosts.remove();
console.log(JSON.stringify({ path: hosts.path, added, during, removed }));
