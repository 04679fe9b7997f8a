/**
 * A self-signed TLS certificate for a host name, made with node:crypto alone (no openssl on
 * PATH needed): n8n trusts it through NODE_EXTRA_CA_CERTS, so a local stand-in can answer
 * for a public HTTPS service (slack.com) that a node calls at a fixed URL.
 */
import crypto from 'node:crypto';

export interface Certificate {
	/** PEM of the certificate: give it to n8n as NODE_EXTRA_CA_CERTS */
	cert: string;
	/** PEM of the private key (PKCS#8) */
	key: string;
}

/** Valid from an hour ago for two days, for `hostName` (common name and subjectAltName), CA:TRUE so it can anchor itself. */
export function selfSignedCertificate(hostName: string): Certificate {
	const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
	const ecdsaWithSha256 = sequence(objectId('1.2.840.10045.4.3.2'));
	const name = sequence(
		set(sequence(objectId('2.5.4.3'), der(0x0c, Buffer.from(hostName, 'utf8')))),
	);
	const now = Date.now();
	const extensions = sequence(
		sequence(
			objectId('2.5.29.19'),
			der(0x01, Buffer.from([0xff])),
			der(0x04, sequence(der(0x01, Buffer.from([0xff])))),
		),
		sequence(objectId('2.5.29.17'), der(0x04, sequence(der(0x82, Buffer.from(hostName, 'ascii'))))),
	);
	const toBeSigned = sequence(
		der(0xa0, integer(Buffer.from([2]))),
		integer(crypto.randomBytes(16)),
		ecdsaWithSha256,
		name,
		sequence(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + 2 * 86400_000))),
		name,
		publicKey.export({ type: 'spki', format: 'der' }),
		der(0xa3, extensions),
	);
	const signature = crypto.sign('sha256', toBeSigned, { key: privateKey, dsaEncoding: 'der' });
	const certificate = sequence(
		toBeSigned,
		ecdsaWithSha256,
		der(0x03, Buffer.concat([Buffer.from([0]), signature])),
	);
	const base64 = certificate.toString('base64').replace(/.{64}/g, '$&\n');
	return {
		cert: `-----BEGIN CERTIFICATE-----\n${base64.trimEnd()}\n-----END CERTIFICATE-----\n`,
		key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
	};
}

function der(tag: number, content: Buffer): Buffer {
	const length = content.length;
	if (length < 0x80) return Buffer.concat([Buffer.from([tag, length]), content]);
	const bytes: number[] = [];
	for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
	return Buffer.concat([Buffer.from([tag, 0x80 | bytes.length, ...bytes]), content]);
}

const sequence = (...parts: Buffer[]) => der(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => der(0x31, Buffer.concat(parts));

/** A non-negative INTEGER: a leading zero byte when the high bit is set. */
const integer = (value: Buffer) =>
	der(0x02, value[0] & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value);

function objectId(dotted: string): Buffer {
	const [first, second, ...rest] = dotted.split('.').map(Number);
	const bytes = [first * 40 + second];
	for (const arc of rest) {
		const base128 = [arc & 0x7f];
		for (let high = arc >>> 7; high > 0; high >>>= 7) base128.unshift((high & 0x7f) | 0x80);
		bytes.push(...base128);
	}
	return der(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
	const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14);
	return der(0x17, Buffer.from(`${text}Z`, 'ascii'));
}
