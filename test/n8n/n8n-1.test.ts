import { describeExamplesInN8n } from './examples-in-n8n';

describeExamplesInN8n('1.123.81');
