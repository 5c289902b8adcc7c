import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { KeyLifecycleReactorStack } from './reactor-stack';

// The app entry only creates the stack; cdk-nag's AwsSolutions pack checks it at every synth, and an
// unacknowledged finding fails the synth.
const app = new App();
new KeyLifecycleReactorStack(app, 'KeyLifecycleReactor');
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
