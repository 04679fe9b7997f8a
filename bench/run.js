// npm run bench: every benchmark of the pack, one after another.
require('./webex');
