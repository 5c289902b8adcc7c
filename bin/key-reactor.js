#!/usr/bin/env node
// The `key-reactor` command (package.json "bin"): runs the TypeScript CLI in cli/ through tsx's CommonJS
// hook, so there is no build step. `npx key-reactor --help` after `npm install`.
//
// Quiet by default, set here at the entry point before anything is loaded: the reactor's modules log
// through Powertools (made for Lambda), and the AWS SDK warns on Node 20 about its support window.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs');
const { run } = require('../cli/main.ts');

run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
