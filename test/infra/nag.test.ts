import { type App, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { KeyLifecycleReactorStack } from '../../lib/reactor-stack';
import { cdkApp } from '../support/cdk';

// The context the CLI uses (feature flags and the example settings in cdk.json), without bundling, which
// is irrelevant to the checks and is proven by one test in reactor.test.ts.
function synthesizeApp(): App {
  const app = cdkApp();
  new KeyLifecycleReactorStack(app, 'KeyLifecycleReactor');
  return app;
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding', () => {
    // Prepare
    const app = synthesizeApp();

    // Act
    const report = new AwsSolutionsChecks().validateScope(app);

    // Assess: the whole list, so a failure says which rule fired where.
    const findings = report.violations.flatMap((violation) =>
      violation.violatingResources.map(
        (resource) => `${violation.ruleName} at ${resource.constructPath}: ${violation.description}`,
      ),
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('lets a synth with the plugin registered, as in lib/app.ts, succeed', () => {
    // Prepare
    const app = synthesizeApp();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    // Act
    const assembly = app.synth();

    // Assess
    expect(assembly.getStackByName('KeyLifecycleReactor').template).toBeDefined();
  });

  it('fails the synth on a finding nobody acknowledged', () => {
    // Prepare: the plugin must actually run, or the two tests above prove nothing.
    const app = synthesizeApp();
    const stack = app.node.findChild('KeyLifecycleReactor') as KeyLifecycleReactorStack;
    stack.reactor.functions.Notify.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: ['arn:aws:s3:::some-bucket/*'],
      }),
    );
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    // Act and assess
    expect(() => app.synth()).toThrow();
    const findings = new AwsSolutionsChecks()
      .validateScope(app)
      .violations.map((violation) => violation.ruleName);
    expect(findings).toEqual(['AwsSolutions-IAM5[Resource::arn:aws:s3:::some-bucket/*]']);
  });
});
