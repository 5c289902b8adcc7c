// Imported first by the sandbox commands: the handlers' Powertools utilities read these when their
// modules load. The timeline shows what happens; the handlers' JSON logs are there with --verbose.
const verbose = process.argv.includes('--verbose');
process.env.POWERTOOLS_LOG_LEVEL ??= verbose ? 'INFO' : 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
