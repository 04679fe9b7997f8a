import { defineFaultMatrix } from './matrix';

defineFaultMatrix('webex');
