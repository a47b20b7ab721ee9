/**
 * Synthesising the constructs offline: an App whose stacks skip asset bundling (esbuild runs only on `cdk deploy`),
 * in a fixed account and region, and the templates' intrinsic functions resolved to plain strings so that the tests
 * can read IAM resources and state machine definitions as they will be deployed.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

export const account = '123456789012';
export const region = 'us-east-1';

/** A stack built by `build`, synthesised. */
export function synthesise(build: (stack: Stack) => void): Template {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test', { env: { account, region } });
  build(stack);
  return Template.fromStack(stack);
}

const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': region, 'AWS::AccountId': account, 'AWS::URLSuffix': 'amazonaws.com' };

/**
 * `value` with `Fn::Join`, `Ref` and `Fn::GetAtt` replaced by strings: pseudo parameters by the stack's, a resource's
 * ARN by `arn:aws:<service>:…:<logical id>` (the service from its type; a Lambda function's `…:function:<id>`).
 */
export function resolved(value: unknown, template: Template): unknown {
  const resources = template.toJSON().Resources as Record<string, { Type: string }>;
  const arnOf = (id: string) => {
    const service = resources[id]?.Type.split('::')[1]?.toLowerCase() ?? 'unknown';
    return `arn:aws:${service}:${region}:${account}:${service === 'lambda' ? 'function:' : ''}${id}`;
  };
  const resolve = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(resolve);
    if (node === null || typeof node !== 'object') return node;
    const record = node as Record<string, unknown>;
    if ('Fn::Join' in record) {
      const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(separator);
    }
    if ('Ref' in record) return pseudo[record.Ref as string] ?? arnOf(record.Ref as string);
    if ('Fn::GetAtt' in record) return arnOf((record['Fn::GetAtt'] as [string, string])[0]);
    return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, resolve(inner)]));
  };
  return resolve(value);
}

/** The definitions of the template's state machines, parsed, by logical id. */
export function stateMachineDefinitions(template: Template): Record<string, StateMachineDefinition> {
  const machines = template.findResources('AWS::StepFunctions::StateMachine') as Record<string, { Properties: { DefinitionString: unknown } }>;
  return Object.fromEntries(Object.entries(machines).map(([id, { Properties }]) => [id, JSON.parse(resolved(Properties.DefinitionString, template) as string)]));
}

export interface StateMachineDefinition {
  StartAt: string;
  States: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/** The actions and resources of every statement of the policies attached to `role` (a logical id). */
export function roleStatements(template: Template, role: string): { actions: string[]; resources: string[] }[] {
  const policies = template.findResources('AWS::IAM::Policy') as Record<string, { Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: unknown[] } } }>;
  const list = (value: unknown) => (Array.isArray(value) ? value : [value]) as string[];
  return Object.values(policies)
    .filter(({ Properties }) => Properties.Roles.some(({ Ref }) => Ref === role))
    .flatMap(({ Properties }) => (resolved(Properties.PolicyDocument.Statement, template) as { Action: unknown; Resource: unknown }[]))
    .map(({ Action, Resource }) => ({ actions: list(Action), resources: list(Resource) }));
}
