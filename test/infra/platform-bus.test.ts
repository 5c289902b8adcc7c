import { Template } from 'aws-cdk-lib/assertions';
import { KeyLifecycleReactorStack } from '../../lib/reactor-stack';
import { testApp } from '../support/cdk';

// The bus customer accounts forward their KMS events to admits only the configured accounts.

function synth(context: Record<string, string>): Template {
  const app = testApp({
    senderAddress: 'reactor@platform.example',
    operatorAddresses: 'ops@platform.example',
    ...context,
  });
  return Template.fromStack(
    new KeyLifecycleReactorStack(app, 'KeyLifecycleReactor', {
      env: { account: '999999999999', region: 'us-east-1' },
    }),
  );
}

function putEventsPrincipals(template: Template): unknown[] {
  return Object.values(template.findResources('AWS::Events::EventBusPolicy')).map(
    (policy) => policy.Properties.Statement?.Principal ?? policy.Properties.Principal,
  );
}

describe('the platform event bus', () => {
  it('lets exactly the allowed customer accounts put events, each by its own statement', () => {
    const template = synth({ allowedAccounts: '111122223333,444455556666' });

    template.resourceCountIs('AWS::Events::EventBus', 1);
    const statements = Object.values(template.findResources('AWS::Events::EventBusPolicy')).map(
      (policy) => policy.Properties.Statement,
    );
    expect(statements).toHaveLength(2);
    for (const statement of statements) {
      expect(statement).toMatchObject({ Effect: 'Allow', Action: 'events:PutEvents' });
    }
    // Each principal is one account's root (no "*", no organisation-wide grant).
    const accounts = putEventsPrincipals(template).map(
      (principal) => /:iam::(\d{12}):root/.exec(JSON.stringify(principal))?.[1],
    );
    expect(accounts.sort()).toEqual(['111122223333', '444455556666']);
  });

  it('admits no other account when none is configured', () => {
    expect(putEventsPrincipals(synth({}))).toEqual([]);
  });

  it('gives the dispatcher the same accounts to check, and keeps the KMS events for replay', () => {
    const template = synth({ allowedAccounts: '111122223333' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { ALLOWED_ACCOUNTS: '999999999999,111122223333' } },
    });
    template.hasResourceProperties('AWS::Events::Archive', {
      EventPattern: { source: ['aws.kms'] },
      RetentionDays: 30,
    });
    template.hasOutput('PlatformBusArn', {});
  });
});
