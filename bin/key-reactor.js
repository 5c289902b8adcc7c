#!/usr/bin/env node
// The `key-reactor` command (package.json "bin"): runs the TypeScript CLI in cli/ through tsx's CommonJS
// hook, so there is no build step. `npx key-reactor --help` after `npm install`.
require('tsx/cjs');
const { run } = require('../cli/main.ts');

run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
