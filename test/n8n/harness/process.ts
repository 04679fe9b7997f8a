/**
 * Child processes of the harness: npm and n8n's CLI, with their output kept for the error
 * message, and an environment free of the npm variables of the `npm run` that started jest.
 */
import { spawn } from 'node:child_process';

/**
 * What `npm run` adds to the environment about this project (its package, its script, its
 * folder, its .npmrc's ignore-scripts=true): npm commands run in other folders must not take
 * it for theirs. The machine's npm settings (registry, cache, user config) stay.
 */
const PROJECT_NPM_VARIABLES =
	/^(npm_package_|npm_lifecycle_|npm_config_local_prefix$|npm_config_ignore_scripts$|INIT_CWD$)/i;

/** process.env without this project's npm context, with `extra` set (undefined: removed). */
export function cleanEnvironment(
	extra: Record<string, string | undefined> = {},
): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [name, value] of Object.entries(process.env))
		if (!PROJECT_NPM_VARIABLES.test(name)) env[name] = value;
	for (const [name, value] of Object.entries(extra)) {
		if (value === undefined) delete env[name];
		else env[name] = value;
	}
	return env;
}

export interface RunOptions {
	cwd: string;
	env?: NodeJS.ProcessEnv;
	timeoutMs?: number;
}

/** Runs a command to completion; rejects with its last output lines when it fails. */
export async function run(
	command: string,
	args: string[],
	{ cwd, env = cleanEnvironment(), timeoutMs = 15 * 60_000 }: RunOptions,
): Promise<string> {
	return await new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		const keep = (chunk: Buffer) => {
			output += chunk.toString('utf8');
		};
		child.stdout.on('data', keep);
		child.stderr.on('data', keep);
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.on('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			if (code === 0) resolve(output);
			else
				reject(
					new Error(
						`${command} ${args.join(' ')} (in ${cwd}) ended with ${signal ?? `exit code ${code}`}:\n${lastLines(output, 40)}`,
					),
				);
		});
	});
}

export function lastLines(text: string, count: number): string {
	return text.trimEnd().split('\n').slice(-count).join('\n');
}
