/**
 * The CDK app `cdk.json` names: `npx aws-cdk@2 deploy -c jobBucket=<bucket> [-c jobPrefix=<prefix/>]
 * [-c fields='{"sentiment":"dawid-skene"}'] [-c postAnnotationFields='{"sentiment":"majority-vote"}']`, in the account
 * and region of your AWS credentials.
 */
import { App } from 'aws-cdk-lib';
import { GtConsolidateStack } from './stack.js';

const app = new App();
const context = (name: string): string | undefined => app.node.tryGetContext(name) as string | undefined;
const json = (name: string): Record<string, unknown> | undefined => {
  const value = context(name);
  try {
    return value === undefined ? undefined : JSON.parse(value) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`-c ${name}: not valid JSON (${(error as Error).message})`);
  }
};
const jobBucket = context('jobBucket');
if (!jobBucket) throw new Error('give the bucket Ground Truth writes your jobs to: -c jobBucket=<bucket> (and -c jobPrefix=<prefix/>)');
new GtConsolidateStack(app, 'GtConsolidate', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  jobBucket,
  jobPrefix: context('jobPrefix'),
  fields: json('fields'),
  postAnnotationFields: json('postAnnotationFields'),
});
