// Imported first by cli/main.ts. Quiet by default: the reactor's modules log through Powertools (made for
// Lambda), and the AWS SDK warns on Node 20 about its support window. Set before any of them is loaded.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
