import { describeExamplesInN8n } from './examples-in-n8n';

describeExamplesInN8n('2.40.7', 'queue');
