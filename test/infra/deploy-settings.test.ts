import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { KeyLifecycleReactorStack } from '../../lib/reactor-stack';
import { FEATURE_FLAGS, testApp } from '../support/cdk';

// Issue 17: a deploy cannot go out half-configured. cdk.json names no address, and a synth without
// senderAddress or operatorAddresses fails with one message showing the -c options, writing no template.

const ROOT = path.resolve(__dirname, '../..');

interface Run {
  readonly code: number;
  readonly stderr: string;
}

/** `cdk synth` as an operator runs it from the project root (cdk.json's context), into `outdir`. */
function cdkSynth(outdir: string, args: readonly string[] = []): Promise<Run> {
  const env = { ...process.env };
  for (const name of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'])
    delete env[name];
  return new Promise((resolve) => {
    execFile(
      path.join(ROOT, 'node_modules/.bin/cdk'),
      ['synth', '--quiet', '--no-notices', '-o', outdir, ...args],
      { cwd: ROOT, env, timeout: 60_000 },
      (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
  });
}

describe('deploy settings', () => {
  it('cdk.json holds no address: a deploy names its own', () => {
    const cdkJson = readFileSync(path.join(ROOT, 'cdk.json'), 'utf8');
    const { context } = JSON.parse(cdkJson) as { context: Record<string, unknown> };

    // No value anywhere in it looks like an email address (the feature flags start with @ too).
    expect(cdkJson).not.toMatch(/\w@\w/);
    expect(context).not.toHaveProperty('senderAddress');
    expect(context).not.toHaveProperty('operatorAddresses');
  });

  it('names both missing settings in one message with the -c options to pass', () => {
    expect(() => new KeyLifecycleReactorStack(testApp(FEATURE_FLAGS), 'KeyLifecycleReactor')).toThrow(
      'Missing CDK context "senderAddress" and "operatorAddresses": there is no default address. Pass them on the ' +
        'command line, for example: npx cdk deploy KeyLifecycleReactor -c senderAddress=reactor@platform.example ' +
        '-c operatorAddresses=ops@platform.example,oncall@platform.example (docs/deploying.md)',
    );
  });

  it('fails `cdk synth` without -c senderAddress: one message, no template', async () => {
    // Prepare
    const outdir = mkdtempSync(path.join(tmpdir(), 'synth-'));

    // Act
    const result = await cdkSynth(outdir, ['-c', 'operatorAddresses=ops@platform.example']);

    // Assess: the app's one line, then the CDK CLI's own line about the app's exit code.
    expect(result.code).not.toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toBe(
      'Missing CDK context "senderAddress": there is no default address. Pass it on the command line, for ' +
        'example: npx cdk deploy KeyLifecycleReactor -c senderAddress=reactor@platform.example ' +
        '-c operatorAddresses=ops@platform.example,oncall@platform.example (docs/deploying.md)',
    );
    expect(lines.slice(1)).toEqual([expect.stringMatching(/Subprocess exited with error 1/)]);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(outdir, 'KeyLifecycleReactor.template.json'))).toBe(false);
  });
});
