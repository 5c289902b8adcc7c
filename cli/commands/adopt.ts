import { AutoScalingClient, CreateOrUpdateTagsCommand } from '@aws-sdk/client-auto-scaling';
import { CreateTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AddTagsToResourceCommand, RDSClient } from '@aws-sdk/client-rds';
import { autoScalingGroupNameOf, resourceIdOf } from '../../lambdas/shared/arn';
import { awsClient } from '../../lambdas/shared/aws';
import { KEY_ARN_TAG } from '../../lambdas/shared/contract';
import type { EncryptedDependent } from '../../lambdas/shared/encrypted-dependents';
import type { CliSession } from '../context';
import { printDependents, readDependents } from '../dependents';
import { EXIT, type ExitCode, UsageError } from '../errors';

export interface AdoptOptions {
  /** Tag without asking. */
  readonly yes?: boolean;
}

/**
 * Tags the key's unprotected dependents (encrypted with it, not tagged for it) with both tags that make a
 * resource the reactor's: KEY_ARN_TAG = the key's ARN, and the managed tag. Only kinds the reactor can
 * stop: a cache, a file system or a bucket is named in the emails whatever its tags, and a tag would
 * promise a stop that cannot happen. Asks first on a terminal; elsewhere it needs --yes.
 */
export async function adopt(session: CliSession, keyValue: string, options: AdoptOptions): Promise<ExitCode> {
  const { keyArn, r, out } = await session.forKey(keyValue);
  const registered = await r.store.registry.list(keyArn);
  const report = await readDependents(
    r,
    keyArn,
    registered.map((resource) => resource.resourceArn),
  );
  const adoptable = report.unprotected;
  if (adoptable.length === 0) {
    if (out.json) out.data({ keyArn, adopted: [], cannotStop: report.cannotStop });
    else
      out.line(
        `Nothing to adopt: every resource encrypted with ${keyArn} that the reactor can stop is its already.`,
      );
    return EXIT.ok;
  }
  if (!out.json) printDependents(out, report);
  if (!options.yes) {
    if (!out.interactive) {
      throw new UsageError(
        `adopt would tag ${adoptable.length} resource(s): pass --yes to tag them without a terminal to confirm on`,
      );
    }
    if (!(await out.confirm(`Tag these ${adoptable.length} resource(s) for ${keyArn}?`))) {
      out.line('Nothing tagged.');
      return EXIT.ok;
    }
  }
  const tags = { [KEY_ARN_TAG]: keyArn, [r.settings.managedTag.key]: r.settings.managedTag.value };
  const tagger = new Tagger(session);
  for (const dependent of adoptable) await tagger.tag(dependent, tags);
  if (out.json) out.data({ keyArn, adopted: adoptable, cannotStop: report.cannotStop });
  else
    out.line(
      `Tagged ${adoptable.length} resource(s): the workflows and the sweep now drive them with ${keyArn}.`,
    );
  return EXIT.ok;
}

/** Writes tags with the operator's own clients, one call per resource. */
class Tagger {
  private rds?: RDSClient;
  private ec2?: EC2Client;
  private autoscaling?: AutoScalingClient;

  constructor(private readonly session: CliSession) {}

  async tag(dependent: EncryptedDependent, tags: Readonly<Record<string, string>>): Promise<void> {
    const pairs = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    switch (dependent.kind) {
      case 'rds-instance':
      case 'rds-cluster':
        this.rds ??= awsClient(RDSClient, this.session.aws);
        await this.rds.send(
          new AddTagsToResourceCommand({ ResourceName: dependent.resourceArn, Tags: pairs }),
        );
        return;
      case 'ec2-instance':
        this.ec2 ??= awsClient(EC2Client, this.session.aws);
        await this.ec2.send(
          new CreateTagsCommand({ Resources: [resourceIdOf(dependent.resourceArn)], Tags: pairs }),
        );
        return;
      case 'autoscaling-group': {
        this.autoscaling ??= awsClient(AutoScalingClient, this.session.aws);
        const name = autoScalingGroupNameOf(dependent.resourceArn) ?? resourceIdOf(dependent.resourceArn);
        await this.autoscaling.send(
          new CreateOrUpdateTagsCommand({
            // Propagated, so that the instances the group launches later carry them too.
            Tags: pairs.map((pair) => ({
              ...pair,
              ResourceId: name,
              ResourceType: 'auto-scaling-group',
              PropagateAtLaunch: true,
            })),
          }),
        );
        return;
      }
      default:
        // readDependents hands over only the kinds the reactor stops; an ECS service is never found by encryption.
        throw new UsageError(`adopt cannot tag a ${dependent.kind}: ${dependent.resourceArn}`);
    }
  }
}
