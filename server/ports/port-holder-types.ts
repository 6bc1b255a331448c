/** A listening TCP socket on this machine and, when it can be found, the process holding it. */
export interface PortHolder {
	/** The address the socket listens on: `0.0.0.0` and `::` mean every address. */
	address: string;
	port: number;
	/** Null when the socket belongs to a process this user cannot inspect. */
	pid: number | null;
	/** The holder's command line (Windows: its image name), or null when unknown. */
	command: string | null;
}

/** A listening socket as the OS tables list it, before it is matched to a process. */
export interface TcpListener {
	address: string;
	port: number;
}
