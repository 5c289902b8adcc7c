import { build, type Metafile } from 'esbuild';
import { reactorFunctions } from '../../bench/bundles';
import { handlerEntry } from '../../lib/catalog';
import { REACTOR_BUNDLING } from '../../lib/reactor-function';

// What goes into each function's bundle, as the CDK bundles it (REACTOR_BUNDLING): every byte is parsed at
// each cold start. Only esbuild's metafile is read; nothing is written.

async function inputsOf(folder: string): Promise<string[]> {
  const result = await build({
    entryPoints: [handlerEntry(folder)],
    outfile: `${folder}/index.js`,
    bundle: true,
    write: false,
    platform: 'node',
    format: REACTOR_BUNDLING.format,
    minify: REACTOR_BUNDLING.minify,
    target: REACTOR_BUNDLING.target,
    mainFields: [...REACTOR_BUNDLING.mainFields],
    metafile: true,
    logLevel: 'error',
  });
  const output = Object.values(result.metafile.outputs).find(
    (candidate): candidate is Metafile['outputs'][string] => candidate.entryPoint !== undefined,
  );
  if (!output) throw new Error(`esbuild wrote no entry point for ${folder}`);
  return Object.keys(output.inputs);
}

describe('bundle contents', () => {
  it.each(reactorFunctions())(
    '%s holds only the part of zod it uses',
    async (folder) => {
      // Act
      const inputs = await inputsOf(folder);

      // Assert: the build is the function's, and zod, where a handler parses its input with it, is
      // tree-shaken. Importing zod's `z` namespace by name (`import { z } from 'zod'`, as Powertools'
      // built-in schemas do) keeps every export: the 40 message locales and the JSON Schema converters,
      // about 350 KiB in the dispatcher.
      expect(inputs.some((input) => input.endsWith(`lambdas/${folder}/index.ts`))).toBe(true);
      expect(inputs.filter((input) => /\/zod\/v4\/locales\/(?!en\.js)/.test(input))).toEqual([]);
      expect(inputs.filter((input) => input.includes('/zod/v4/classic/from-json-schema'))).toEqual([]);
    },
    60_000,
  );
});
