import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CustomerForwarderStack } from './customer-forwarder';
import { ContextError, KeyLifecycleReactorStack } from './reactor-stack';

// The app entry only creates the stacks; cdk-nag's AwsSolutions pack checks them at every synth, and an
// unacknowledged finding fails the synth. The customer's forwarder exists only when a customer names
// the platform's bus: `npx cdk deploy CustomerForwarderStack -c platformBusArn=... -c keyArns=...`.

// The CDK core writes "Bundling asset <path>..." for each of the functions at every synth, whatever
// esbuild's log level: progress nobody acts on, which buries what a synth has to say.
const write = process.stderr.write.bind(process.stderr);
process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
  typeof chunk === 'string' && /^Bundling asset \S+\.\.\.\n$/.test(chunk)
    ? true
    : write(chunk, ...rest)) as typeof process.stderr.write;

const app = new App();
try {
  new KeyLifecycleReactorStack(app, 'KeyLifecycleReactor');
  if (app.node.tryGetContext('platformBusArn')) new CustomerForwarderStack(app, 'CustomerForwarderStack');
} catch (error) {
  if (!(error instanceof ContextError)) throw error;
  // One line, and no template: exiting here keeps the App from synthesizing what was built so far.
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
