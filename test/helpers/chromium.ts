/**
 * Debian's Chromium for the tests that need a real browser (the n8n editor, the example
 * emails), driven by playwright-core. Playwright's own browser builds come from a CDN this
 * machine cannot reach, so the tests install Debian's package (`apt-get install -y
 * chromium`, as root) when /usr/bin/chromium is missing and never let Playwright download
 * anything.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';

import { chromium, type Browser, type BrowserContext } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

/** Flags that keep a headless Chromium quiet and local: no GPU, no QUIC, nothing phoned home. */
const FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

/** Installs Debian's chromium package unless it is there; resolves with the binary's path. */
export async function ensureChromium(log: (line: string) => void = () => {}): Promise<string> {
	if (fs.existsSync(CHROMIUM)) return CHROMIUM;
	if (process.platform !== 'linux' || !fs.existsSync('/usr/bin/apt-get')) {
		throw new Error(
			`This test needs Chromium at ${CHROMIUM}: install your distribution's chromium package`,
		);
	}
	if (process.getuid?.() !== 0)
		throw new Error(
			`This test needs Chromium at ${CHROMIUM}: run \`apt-get install -y chromium\` as root`,
		);
	log('chromium: apt-get update && apt-get install -y chromium…');
	await aptGet(['update']);
	await aptGet(['install', '-y', '--no-install-recommends', 'chromium']);
	if (!fs.existsSync(CHROMIUM))
		throw new Error(`apt-get installed chromium, but ${CHROMIUM} is missing`);
	return CHROMIUM;
}

async function aptGet(args: string[]): Promise<void> {
	await new Promise<void>((resolve, reject) => {
		let output = '';
		const child = spawn('apt-get', args, {
			env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.on('error', reject);
		child.on('exit', (code) =>
			code === 0
				? resolve()
				: reject(
						new Error(`apt-get ${args.join(' ')} exited with ${code}:\n${output.slice(-2000)}`),
					),
		);
	});
}

export interface ChromiumBrowser {
	browser: Browser;
	context: BrowserContext;
	close(): Promise<void>;
}

/** Chromium with an empty profile (Playwright gives each launch a new temporary one) and one context. */
export async function launchChromium(
	executablePath: string,
	viewport = { width: 1440, height: 900 },
): Promise<ChromiumBrowser> {
	const browser = await chromium.launch({ executablePath, headless: true, args: FLAGS });
	const context = await browser.newContext({ viewport });
	return { browser, context, close: async () => await browser.close() };
}
