import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CustomerForwarderStack } from './customer-forwarder';
import { KeyLifecycleReactorStack } from './reactor-stack';

// The app entry only creates the stacks; cdk-nag's AwsSolutions pack checks them at every synth, and an
// unacknowledged finding fails the synth. The customer's forwarder exists only when a customer names
// the platform's bus: `npx cdk deploy CustomerForwarderStack -c platformBusArn=... -c keyArns=...`.
const app = new App();
new KeyLifecycleReactorStack(app, 'KeyLifecycleReactor');
if (app.node.tryGetContext('platformBusArn')) new CustomerForwarderStack(app, 'CustomerForwarderStack');
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
