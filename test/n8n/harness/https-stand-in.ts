/**
 * Local stand-ins for public HTTPS services that n8n's own nodes call at fixed URLs (the
 * Slack node always posts to https://slack.com/api): an HTTP proxy on 127.0.0.1 that tunnels
 * CONNECT to those host names into in-process HTTPS servers with a self-signed certificate,
 * and refuses every other host. n8n sends its requests through it when started with
 * `standIn.env` (HTTPS_PROXY, NO_PROXY for this machine, NODE_EXTRA_CA_CERTS), so the
 * real node, its credential and n8n's HTTP client run unchanged.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';

import { selfSignedCertificate } from './certificate';

export interface HttpsStandIn {
	/** http://127.0.0.1:PORT */
	readonly proxyUrl: string;
	/** the environment that sends n8n's HTTPS requests to the stand-ins and trusts their certificates */
	readonly env: Record<string, string>;
	/** CONNECT targets the proxy refused (a host with no stand-in), for diagnostics */
	readonly refused: string[];
	stop(): Promise<void>;
}

/**
 * Starts the proxy and one HTTPS server per host name; `certificateDir` receives the PEM
 * file n8n is told to trust.
 */
export async function startHttpsStandIn(
	certificateDir: string,
	hosts: Record<string, http.RequestListener>,
): Promise<HttpsStandIn> {
	const servers = new Map<string, https.Server>();
	const certificates: string[] = [];
	for (const [host, listener] of Object.entries(hosts)) {
		const { cert, key } = selfSignedCertificate(host);
		certificates.push(cert);
		servers.set(host, https.createServer({ cert, key }, listener));
	}
	fs.mkdirSync(certificateDir, { recursive: true });
	const caFile = path.join(certificateDir, 'stand-in-ca.pem');
	fs.writeFileSync(caFile, certificates.join(''));

	const refused: string[] = [];
	const sockets = new Set<Socket>();
	const proxy = http.createServer((_request, response) => {
		response
			.writeHead(405, { 'content-type': 'text/plain' })
			.end('Only CONNECT tunnels to the stand-in hosts are served here\n');
	});
	proxy.on('connection', (socket: Socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	proxy.on('connect', (request: http.IncomingMessage, socket: Socket, head: Buffer) => {
		const [host, port] = (request.url ?? '').split(':');
		const server = servers.get(host);
		if (!server || (port ?? '443') !== '443') {
			refused.push(request.url ?? '');
			socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
			return;
		}
		socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
		if (head.length) socket.unshift(head);
		server.emit('connection', socket);
	});
	await new Promise<void>((resolve, reject) => {
		proxy.once('error', reject);
		proxy.listen(0, '127.0.0.1', () => resolve());
	});
	const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
	return {
		proxyUrl,
		env: {
			HTTPS_PROXY: proxyUrl,
			https_proxy: proxyUrl,
			// Everything on this machine (the sandbox, Azurite, the SMTP server) is reached directly.
			NO_PROXY: '127.0.0.1,localhost,::1',
			no_proxy: '127.0.0.1,localhost,::1',
			NODE_EXTRA_CA_CERTS: caFile,
		},
		refused,
		stop: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => proxy.close(() => resolve()));
		},
	};
}
