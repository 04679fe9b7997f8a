/**
 * The pack in n8n's editor, in a real browser (Debian's Chromium driven by playwright-core):
 * every node's parameter panel for every operation, the node creator's search, and each
 * credential type's connection test against the sandbox, right and wrong. Screenshots go to
 * out/n8n-editor/<version>/ for a person to look at.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { IDataObject } from 'n8n-workflow';
import type { Page } from 'playwright-core';

import { startSandbox, type RequestLogEntry, type Sandbox } from '../../sandbox';
import { ciscoCredential, microsoftCredential, webexCredential } from '../helpers/credentials';
import { ensureChromium, launchChromium, type ChromiumBrowser } from '../helpers/chromium';
import { expectedPanels, type Panel } from './editor/panels';
import {
	installN8n,
	installPack,
	N8nRestClient,
	OWNER,
	packTarball,
	REPO_DIR,
	startN8n,
	temporaryUserFolder,
	type N8nProcess,
	type N8nVersionName,
} from './harness';

/** The releases whose editor is tested (see the README: 2.x, the release the pack is built against). */
const EDITOR_VERSIONS: N8nVersionName[] = ['2.40.7'];

const SCREENSHOTS = path.join(REPO_DIR, 'out', 'n8n-editor');

/** The editor's route that opens a credential's modal over the overview: <this>/<credentialId>. */
const CREDENTIAL_PAGES = 'home/credentials';

/** What the wrong-secret credentials carry instead of their secret: it must never reach the page. */
const WRONG_SECRET = `wrong-secret-${process.pid}-${Date.now().toString(36)}`;

interface CredentialCase {
	type: string;
	/** the field that holds the secret */
	secretField: string;
	data: (sandbox: Sandbox) => IDataObject;
	/** the reason the Test gives for a wrong secret: the pack's rule, or the vendor's words */
	wrongSecretReason: RegExp;
}

const CREDENTIALS: CredentialCase[] = [
	{
		type: 'webexWholesaleApi',
		secretField: 'accessToken',
		data: webexCredential,
		wrongSecretReason: /Webex refused the access token \(401\)/,
	},
	{
		type: 'microsoftPartnerBillingOAuth2Api',
		secretField: 'clientSecret',
		data: microsoftCredential,
		wrongSecretReason: /Client authentication failed/,
	},
	{
		type: 'ciscoXaasBillingApi',
		secretField: 'clientSecret',
		data: ciscoCredential,
		wrongSecretReason: /Cisco did not issue an access token \(invalid_client/,
	},
];

/** The OAuth2 authorization-code credential: connected through the sandbox's consent screen, which consents at once. */
function webexOAuth2Credential(sandbox: Sandbox): IDataObject {
	const { webex } = sandbox;
	return {
		authUrl: webex.authorizeUrl,
		accessTokenUrl: webex.tokenUrl,
		clientId: webex.clientId,
		clientSecret: webex.clientSecret,
		baseUrl: webex.baseUrl,
	};
}

/** What the page's elements are to the functions run in it (the test compiles without the DOM library). */
interface ShownElement {
	innerText: string;
	checkVisibility(): boolean;
}

/** The first line of each visible element's text. */
async function shownTexts(page: Page, selector: string): Promise<string[]> {
	return await page
		.locator(selector)
		.evaluateAll((elements) =>
			(elements as unknown as ShownElement[])
				.filter((element) => element.checkVisibility())
				.map((element) => element.innerText.split('\n')[0].trim()),
		);
}

/** Polls until every expected text is shown (a panel fills in as the node type loads); resolves with what is shown then. */
async function waitForTexts(
	page: Page,
	selector: string,
	expected: string[],
	timeoutMs = 30_000,
): Promise<string[]> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const shown = await shownTexts(page, selector);
		if (expected.every((text) => shown.includes(text)) || Date.now() > deadline) return shown;
		await page.waitForTimeout(200);
	}
}

const PARAMETER_LABELS = '[data-test-id="ndv"] [data-test-id="node-parameters"] label';

/** Error toasts n8n shows (Element Plus notifications of type error). */
async function errorToasts(page: Page): Promise<string[]> {
	return await page
		.locator('.el-notification.error, .el-notification--error, [data-test-id="toast-error"]')
		.allInnerTexts();
}

function describeEditor(version: N8nVersionName): void {
	describe(`the pack in n8n ${version}'s editor (Chromium)`, () => {
		const started = Date.now();
		const screenshots = path.join(SCREENSHOTS, version);
		const panels = expectedPanels();
		const consoleErrors: string[] = [];
		let sandbox: Sandbox;
		let n8n: N8nProcess;
		let client: N8nRestClient;
		let editor: ChromiumBrowser;
		let page: Page;
		let workflowId: string;
		const nodeIds = new Map<string, string>();
		const credentialIds: Record<string, { right: string; wrong?: string }> = {};
		const tokenExchanges: RequestLogEntry[] = [];

		beforeAll(async () => {
			const log = (line: string) => process.stdout.write(`[n8n editor ${version}] ${line}\n`);
			fs.rmSync(screenshots, { recursive: true, force: true });
			fs.mkdirSync(screenshots, { recursive: true });
			// Side by side: on a busy machine each of these takes tens of seconds.
			const startingBrowser = ensureChromium(log).then(launchChromium);
			const startingSandbox = startSandbox({
				graph: {},
				log: (entry) =>
					entry.vendor === 'webex' &&
					entry.kind === 'token' &&
					entry.method === 'POST' &&
					tokenExchanges.push(entry),
			});
			const startingN8n = (async () => {
				const installation = await installN8n(version, log);
				const userFolder = temporaryUserFolder('editor');
				const tarball =
					process.env.N8N_TEST_PACK_TARBALL ??
					(await packTarball(fs.mkdtempSync(path.join(os.tmpdir(), 'billing-pack-'))));
				await installPack(userFolder, tarball);
				return await startN8n({ installation, userFolder });
			})();
			const [browser, sandboxStarted, n8nStarted] = await Promise.allSettled([
				startingBrowser,
				startingSandbox,
				startingN8n,
			]);
			if (browser.status === 'fulfilled') editor = browser.value;
			if (sandboxStarted.status === 'fulfilled') sandbox = sandboxStarted.value;
			if (n8nStarted.status === 'fulfilled') n8n = n8nStarted.value;
			for (const result of [browser, sandboxStarted, n8nStarted])
				if (result.status === 'rejected') throw result.reason;
			log(
				`n8n, the sandbox and Chromium started in ${((Date.now() - started) / 1000).toFixed(1)} s`,
			);
			client = new N8nRestClient(n8n.url);
			await client.setupOwner(OWNER);
			await client.login(OWNER);

			for (const credential of CREDENTIALS) {
				const right = await client.createCredential({
					name: `${credential.type} (sandbox)`,
					type: credential.type,
					data: credential.data(sandbox),
				});
				const wrong = await client.createCredential({
					name: `${credential.type} (wrong secret)`,
					type: credential.type,
					data: { ...credential.data(sandbox), [credential.secretField]: WRONG_SECRET },
				});
				credentialIds[credential.type] = { right: String(right.id), wrong: String(wrong.id) };
			}
			const oauth2 = await client.createCredential({
				name: 'webexWholesaleOAuth2Api (sandbox)',
				type: 'webexWholesaleOAuth2Api',
				data: webexOAuth2Credential(sandbox),
			});
			credentialIds.webexWholesaleOAuth2Api = { right: String(oauth2.id) };

			// One node per operation, each with its credential, side by side on one canvas.
			const nodes = panels.map((panel, index) => {
				const id = `panel-${index}`;
				nodeIds.set(panel.title, id);
				const credential = panel.credentialType
					? {
							[panel.credentialType]: {
								id: credentialIds[panel.credentialType].right,
								name: `${panel.credentialType} (sandbox)`,
							},
						}
					: undefined;
				return {
					id,
					name: panel.nodeName,
					type: panel.type,
					typeVersion: panel.typeVersion,
					position: [(index % 4) * 300, Math.floor(index / 4) * 300],
					parameters: panel.parameters,
					...(credential ? { credentials: credential } : {}),
				};
			});
			const workflow = await client.request<{ id: string }>('POST', '/workflows', {
				name: 'Every billing panel',
				nodes,
				connections: {},
				settings: {},
				active: false,
			});
			workflowId = String(workflow.id);

			page = await editor.context.newPage();
			page.on('console', (message) => {
				if (message.type() === 'error') consoleErrors.push(message.text());
			});
			page.on('pageerror', (error) => consoleErrors.push(error.message));
			await page.goto(`${n8n.url}/signin`);
			await page.fill('[data-test-id="emailOrLdapLoginId"] input', OWNER.email);
			await page.fill('[data-test-id="password"] input', OWNER.password);
			await page.click('[data-test-id="form-submit-button"]');
			await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 60_000 });
			log(
				`signed in, credentials and the workflow created after ${((Date.now() - started) / 1000).toFixed(1)} s`,
			);
		}, 600_000);

		afterAll(async () => {
			await editor?.close();
			await n8n?.stop();
			await sandbox?.stop();
			process.stdout.write(
				`[n8n editor ${version}] editor tests took ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${path.relative(REPO_DIR, screenshots)}\n`,
			);
		});

		/**
		 * Opens the node's panel: the first one at its URL, /workflow/<id>/<nodeId>, as a link
		 * would; the others as a user does, closing the open panel and double-clicking the node
		 * on the canvas (a full page load per panel would take most of the test's time).
		 */
		async function openPanel(panel: Panel, nodeId: string): Promise<void> {
			const ndv = page.locator('[data-test-id="ndv"]');
			if (!new URL(page.url()).pathname.startsWith(`/workflow/${workflowId}`)) {
				await page.goto(`${n8n.url}/workflow/${workflowId}/${nodeId}`);
			} else {
				if (await ndv.isVisible()) {
					await page.locator('[data-test-id="ndv-close-button"]').click();
					await ndv.waitFor({ state: 'hidden' });
				}
				await page
					.locator(`[data-test-id="canvas-node"][data-node-name="${panel.nodeName}"]`)
					.dblclick();
			}
			await ndv
				.locator('[data-test-id="node-parameters"]')
				.waitFor({ state: 'visible', timeout: 60_000 });
			await page.waitForURL((url) => url.pathname === `/workflow/${workflowId}/${nodeId}`, {
				timeout: 10_000,
			});
		}

		/** Console errors since `from` that name the pack or its nodes. */
		const packConsoleErrors = (from: number) =>
			consoleErrors
				.slice(from)
				.filter((text) => /billing|webex|microsoft|cisco|reconcile/i.test(text));

		test.each(panels.map((panel) => [panel.title, panel] as [string, Panel]))(
			'the %s panel opens without an error and shows the parameters the operation declares',
			async (_title, panel) => {
				const consoleFrom = consoleErrors.length;
				const nodeId = nodeIds.get(panel.title)!;
				await openPanel(panel, nodeId);
				expect(new URL(page.url()).pathname).toBe(`/workflow/${workflowId}/${nodeId}`);
				const labels = await waitForTexts(page, PARAMETER_LABELS, panel.expectedLabels);
				await page.screenshot({
					path: path.join(screenshots, `panel-${panel.title.replace(/[ /]/g, '-')}.png`),
				});

				expect(labels.filter((label) => panel.expectedLabels.includes(label))).toEqual(
					panel.expectedLabels,
				);
				expect(
					await page.locator('[data-test-id="ndv"] [data-test-id="parameter-issues"]').count(),
				).toBe(0);
				expect(await errorToasts(page)).toEqual([]);
				expect(packConsoleErrors(consoleFrom)).toEqual([]);
			},
		);

		test('the node creator finds the four billing nodes by "billing"', async () => {
			await page.goto(`${n8n.url}/workflow/${workflowId}`);
			await page
				.locator('[data-test-id="canvas-node"]')
				.first()
				.waitFor({ state: 'visible', timeout: 60_000 });
			await page.click('[data-test-id="node-creator-plus-button"]');
			const search = page
				.locator(
					'[data-test-id="node-creator-search-bar"] input, input[data-test-id="node-creator-search-bar"]',
				)
				.first();
			await search.waitFor({ state: 'visible' });
			await search.fill('billing');
			const expected = [...new Set(panels.map((panel) => panel.description.displayName))].sort();
			const found = await waitForTexts(page, '[data-test-id="node-creator-item-name"]', expected);
			await page.screenshot({ path: path.join(screenshots, 'node-creator-billing.png') });
			expect(found).toEqual(expect.arrayContaining(expected));
			await page.keyboard.press('Escape');
		});

		/** Opens the credential's modal, presses its test (n8n's Retry, after the test it runs on opening) and resolves with the banner. */
		async function testCredentialInModal(
			credentialId: string,
			screenshot: string,
		): Promise<{ ok: boolean; text: string; reason: string; pageText: string; html: string }> {
			await page.goto(`${n8n.url}/${CREDENTIAL_PAGES}/${credentialId}`);
			const modal = page.locator('[data-test-id="editCredential-modal"]');
			await modal.waitFor({ state: 'visible', timeout: 60_000 });
			const success = modal.locator('[data-test-id="credentials-config-container-test-success"]');
			// n8n's failure banner has no data-test-id: its message, up to the box that holds its Retry button.
			const failure = modal
				.getByText(/Couldn.t connect with these settings/)
				.locator('xpath=ancestor::*[.//button][1]');
			const banner = success.or(failure);
			await banner.first().waitFor({ state: 'visible', timeout: 60_000 });
			// Test again as a user does, with the banner's button, and wait for the fresh answer.
			const [answer] = await Promise.all([
				page.waitForResponse((response) => response.url().endsWith('/rest/credentials/test'), {
					timeout: 60_000,
				}),
				banner.first().getByRole('button').first().click(),
			]);
			expect(answer.status()).toBe(200);
			await banner.first().waitFor({ state: 'visible', timeout: 60_000 });
			// A failure's reason sits behind "More details", as a user would open it.
			const details = failure.getByText('More details');
			if (await details.isVisible()) await details.click();
			await page.waitForTimeout(300);
			await page.screenshot({ path: path.join(screenshots, screenshot) });
			const ok = await success.isVisible();
			const modalLines = (await modal.innerText())
				.split('\n')
				.map((line) => line.trim())
				.filter(Boolean);
			const heading = modalLines.findIndex((line) =>
				/Couldn.t connect with these settings/.test(line),
			);
			// The failure's reason: the first line after the banner's heading that is not one of its buttons.
			const reason =
				heading < 0
					? ''
					: (modalLines
							.slice(heading + 1)
							.find((line) => !/^(Retry|More details|Less details)$/i.test(line)) ?? '');
			return {
				ok,
				text: (await banner.first().innerText()).trim(),
				reason,
				pageText: await page.locator('body').innerText(),
				html: await page.content(),
			};
		}

		test.each(
			CREDENTIALS.map((credential) => [credential.type, credential] as [string, CredentialCase]),
		)('the %s credential tests successfully against the sandbox', async (type) => {
			const result = await testCredentialInModal(
				credentialIds[type].right,
				`credential-${type}-success.png`,
			);
			expect(result.text).toContain('Connection tested successfully');
			expect(result.ok).toBe(true);
		});

		test.each(
			CREDENTIALS.map((credential) => [credential.type, credential] as [string, CredentialCase]),
		)(
			'the %s credential with a wrong secret fails with its reason, the secret nowhere in the page',
			async (type, credential) => {
				const result = await testCredentialInModal(
					credentialIds[type].wrong!,
					`credential-${type}-wrong-secret.png`,
				);
				expect(result.ok).toBe(false);
				expect(result.text).toMatch(/Couldn.t connect with these settings/i);
				expect(result.reason).toMatch(credential.wrongSecretReason);
				process.stdout.write(
					`[n8n editor ${version}] ${type} with a wrong secret: ${result.reason}\n`,
				);
				expect(result.pageText).not.toContain(WRONG_SECRET);
				expect(result.html).not.toContain(WRONG_SECRET);
			},
		);

		test("the Webex OAuth2 credential connects through the sandbox's consent screen", async () => {
			await page.goto(
				`${n8n.url}/${CREDENTIAL_PAGES}/${credentialIds.webexWholesaleOAuth2Api.right}`,
			);
			const modal = page.locator('[data-test-id="editCredential-modal"]');
			await modal.waitFor({ state: 'visible', timeout: 60_000 });
			const [popup] = await Promise.all([
				page.waitForEvent('popup', { timeout: 30_000 }),
				modal
					.locator('[data-test-id="oauth-not-connected-banner"]')
					.getByRole('button')
					.first()
					.click(),
			]);
			await popup.waitForEvent('close', { timeout: 60_000 }).catch(() => undefined);
			const connected = modal.locator('[data-test-id="oauth-connect-success-banner"]');
			await connected.waitFor({ state: 'visible', timeout: 60_000 });
			await page.screenshot({
				path: path.join(screenshots, 'credential-webexWholesaleOAuth2Api-connected.png'),
			});
			expect(await connected.innerText()).toMatch(/Account connected/i);
			// n8n exchanged the code from the consent screen for a token at the sandbox.
			expect(tokenExchanges.filter((entry) => entry.status === 200)).toHaveLength(1);
		});
	});
}

for (const version of EDITOR_VERSIONS) describeEditor(version);
