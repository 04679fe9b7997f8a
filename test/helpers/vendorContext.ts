import type { IDataObject } from 'n8n-workflow';

import type { Sandbox } from '../../sandbox';
import type { ExecuteNodeOptions, LoadedPackage, NodeResult } from '../harness';

/** What a vendor's use…() gives its spec file: one sandbox, one loaded pack, a runner. */
export interface VendorTestContext {
	sandbox: Sandbox;
	pack: LoadedPackage;
	/** Runs the vendor's node through the engine with the sandbox's credential. */
	run: (
		parameters: IDataObject,
		options?: Partial<Omit<ExecuteNodeOptions, 'pack' | 'nodeType' | 'parameters'>>,
	) => Promise<NodeResult>;
}
