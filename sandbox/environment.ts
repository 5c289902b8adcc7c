// Imported first by the sandbox commands: the handlers' Powertools utilities read these when their
// modules load. The timeline shows what happens; the handlers' JSON logs are there with --verbose.
const verbose = process.argv.includes('--verbose');
process.env.POWERTOOLS_LOG_LEVEL ??= verbose ? 'INFO' : 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
// The AWS SDK's nine-line Node-version warning, off by its documented switch (aws-sdk-js-v3#7983);
// npm start says it in one line instead (command-line.ts, nodeVersionNotice).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// A scenario's `cli` steps run the CLI in this process, and the CLI takes its credentials from the
// default chain: give that chain the sandbox's fake ones, so nothing looks for (or sends) real
// credentials, even to moto. A profile would take precedence over them.
process.env.AWS_ACCESS_KEY_ID = 'sandbox';
process.env.AWS_SECRET_ACCESS_KEY = 'sandbox';
process.env.AWS_SESSION_TOKEN = 'sandbox';
delete process.env.AWS_PROFILE;
process.env.AWS_EC2_METADATA_DISABLED = 'true';
