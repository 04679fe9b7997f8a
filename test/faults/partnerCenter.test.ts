import { defineFaultMatrix } from './matrix';

defineFaultMatrix('partnerCenter');
