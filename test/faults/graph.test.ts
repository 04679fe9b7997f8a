import { defineFaultMatrix } from './matrix';

defineFaultMatrix('graph');
