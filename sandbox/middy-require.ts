import Module from 'node:module';
import * as path from 'node:path';

/**
 * middy 5+ publishes ES modules behind an `import`-only exports map, which `require` cannot resolve;
 * Node 20.19+ can `require` the ES module itself once it is found. Lambda bundles are built by esbuild
 * (which follows `import`), and jest maps the names in jest.config.js; this does the same for the
 * handlers the sandbox loads in-process with tsx.
 */
const MIDDY = /^@middy\/([a-z-]+)$/;
const modules = Module as unknown as {
  _resolveFilename: (request: string, ...rest: unknown[]) => string;
};
const resolve = modules._resolveFilename;
const root = path.resolve(__dirname, '..', 'node_modules');

modules._resolveFilename = (request: string, ...rest: unknown[]) => {
  const match = MIDDY.exec(request);
  return match ? path.join(root, '@middy', match[1] ?? '', 'index.js') : resolve(request, ...rest);
};
