import { defineFaultMatrix } from './matrix';

defineFaultMatrix('cisco');
