// n8n loads the pack through the "n8n" section of package.json; this file only gives
// the package a valid entry point for tools that require() it.
module.exports = {};
