// Imported first by tests that read the handlers' warning lines: Powertools Logger takes its level from
// the environment when its module loads, and goes back to it on every warm invocation.
process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
