import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { DEFAULT_MANAGED_TAG, ENV, type EnvName, LIMITS } from '../lambdas/shared/contract';
import { DISPATCHER_FUNCTION, handlerEntry, STEP_FUNCTIONS, SWEEP_FUNCTION } from '../lib/catalog';
import { POWERTOOLS_ENVIRONMENT, REACTOR_BUNDLING } from '../lib/reactor-function';
import { median } from './metrics';

/**
 * Each Lambda bundle built as the CDK builds it (esbuild's JS API with the settings of
 * lib/reactor-function.ts), then measured: its minified size from esbuild's metafile, and its module
 * init time, the time a fresh Node process takes to `require` it, which is what a cold start pays
 * before the handler runs.
 */

export interface BundleFigures {
  readonly function: string;
  /** The minified JavaScript, without the source map. */
  readonly bytes: number;
  /** The three largest packages in it, by bytes of output. */
  readonly largest: readonly { readonly module: string; readonly bytes: number }[];
  readonly initMs: { readonly median: number; readonly runs: readonly number[] };
}

export interface BundleOptions {
  /** Fresh processes per bundle; the median is reported. @default 5 */
  readonly initRuns?: number;
  /** Only these functions (folders under lambdas/). @default all */
  readonly functions?: readonly string[];
  /** Overrides REACTOR_BUNDLING's, to compare (esbuild's own default for Node is main, module). */
  readonly mainFields?: readonly string[];
}

/** Every function the construct deploys: the workflow steps, the dispatcher and the sweep. */
export function reactorFunctions(): string[] {
  return [...new Set([...Object.values(STEP_FUNCTIONS), DISPATCHER_FUNCTION, SWEEP_FUNCTION])];
}

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';

/**
 * The settings the construct writes into the functions' environment (lib/key-lifecycle-reactor.ts), fake
 * but well formed: each entry point builds its parts from them at init, and fails there without one it
 * needs. Every function gets all of them and reads its own; those the construct sets only when asked (an
 * organization, warning days, the sweep's concurrency) are left out, as in a default deployment.
 */
const DEPLOYED_SETTINGS: Partial<Record<EnvName, string>> = {
  [ENV.tableName]: 'key-reactor-KeyTable-1A2B3C4D5E6F',
  [ENV.managedTagKey]: DEFAULT_MANAGED_TAG.key,
  [ENV.managedTagValue]: DEFAULT_MANAGED_TAG.value,
  [ENV.leaseSeconds]: String(LIMITS.leaseSeconds),
  [ENV.senderAddress]: 'reactor@platform.example',
  [ENV.operatorAddresses]: 'ops@platform.example',
  [ENV.disableStateMachineArn]: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:key-reactor-disable`,
  [ENV.enableStateMachineArn]: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:key-reactor-enable`,
  [ENV.allowedAccounts]: ACCOUNT,
  [ENV.eventBusName]: 'key-reactor-platform',
};

/** Lambda's environment as far as module init reads it; everything else about the process is Node's. */
function lambdaLikeEnvironment(functionName: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    ...POWERTOOLS_ENVIRONMENT,
    ...DEPLOYED_SETTINGS,
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_LAMBDA_FUNCTION_NAME: `key-reactor-${functionName}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  };
}

/**
 * Loads the bundle in a fresh process and prints how long `require` took, in milliseconds; a bundle
 * whose init left it without a handler exits with 2, so a broken entry point cannot pass for a fast one.
 */
const MEASURE_REQUIRE = [
  'const started = process.hrtime.bigint();',
  'const loaded = require(process.argv[1]);',
  'const ms = Number(process.hrtime.bigint() - started) / 1e6;',
  "if (typeof loaded.handler !== 'function') process.exit(2);",
  'process.stdout.write(String(ms));',
].join('\n');

function initTime(bundle: string, functionName: string): number {
  // As deployed: the functions run with NODE_OPTIONS=--enable-source-maps (lib/reactor-function.ts).
  const child = spawnSync(process.execPath, ['--enable-source-maps', '-e', MEASURE_REQUIRE, bundle], {
    env: lambdaLikeEnvironment(functionName),
    encoding: 'utf8',
  });
  const ms = Number(child.stdout);
  if (child.status !== 0 || !Number.isFinite(ms)) {
    throw new Error(`Loading ${bundle} failed (exit ${child.status}): ${child.stderr.slice(-2000)}`);
  }
  return ms;
}

function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match?.[1] ?? '(reactor code)';
}

export async function measureBundles(options: BundleOptions = {}): Promise<BundleFigures[]> {
  const outdir = mkdtempSync(path.join(tmpdir(), 'key-reactor-bundles-'));
  try {
    const figures: BundleFigures[] = [];
    for (const folder of options.functions ?? reactorFunctions()) {
      const outfile = path.join(outdir, folder, 'index.js');
      const result = await build({
        entryPoints: [handlerEntry(folder)],
        outfile,
        bundle: true,
        platform: 'node',
        format: REACTOR_BUNDLING.format,
        minify: REACTOR_BUNDLING.minify,
        target: REACTOR_BUNDLING.target,
        mainFields: [...(options.mainFields ?? REACTOR_BUNDLING.mainFields)],
        external: [...REACTOR_BUNDLING.externalModules],
        sourcemap: REACTOR_BUNDLING.sourceMap,
        sourcesContent: REACTOR_BUNDLING.sourcesContent,
        metafile: true,
        logLevel: 'error',
      });
      const output = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('.js'))?.[1];
      if (!output) throw new Error(`esbuild wrote no JavaScript for ${folder}`);
      const byPackage = new Map<string, number>();
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
        const name = packageOf(input);
        byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
      }
      const runs = Array.from({ length: options.initRuns ?? 5 }, () => initTime(outfile, folder));
      figures.push({
        function: folder,
        bytes: output.bytes,
        largest: [...byPackage.entries()]
          .sort(([, a], [, b]) => b - a)
          .slice(0, 3)
          .map(([module, bytes]) => ({ module, bytes })),
        initMs: { median: round(median(runs)), runs: runs.map(round) },
      });
    }
    return figures;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const round = (ms: number): number => Math.round(ms * 10) / 10;
