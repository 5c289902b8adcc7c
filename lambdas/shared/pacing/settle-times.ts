import type { Target } from '../decision';
import type { ResourceKind } from '../model';

/**
 * How long a resource of each kind takes to reach the state a stop or start asked for, once AWS has
 * answered the call. ONE table for both sides that need it: the reactor sizes its poll waits and its
 * emails' estimates by it (plan.ts), and the bench's AWS model shows a change as under way for as long
 * (bench/model/transitions.ts). Two tables once disagreed (the reactor planned 60 s for an EC2 stop and
 * 2 min for an ECS start, the model 45 s and 1 min), and the reactor then waited on its own guesses. AWS
 * publishes few of these durations: each figure names its source, or starts with `assumption:` and says
 * why; replace a figure with a measured one here and both sides follow.
 */
export interface SettleTime {
  readonly seconds: number;
  /** A documentation URL, or `assumption: ...` with the reason. */
  readonly source: string;
}

const EC2_STOP: SettleTime = {
  seconds: 45,
  source:
    'assumption: EC2 documents the stopping state but no duration (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Stop_Start.html); an EBS-backed instance commonly takes 30 to 60 s',
};
const EC2_START: SettleTime = {
  seconds: 30,
  source:
    'assumption: EC2 documents the pending state but no duration (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-lifecycle.html); tens of seconds to running',
};
const RDS_STOP: SettleTime = {
  seconds: 240,
  source:
    'assumption: RDS documents no duration for stopping (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_StopInstance.html); a few minutes for a small instance',
};
const RDS_START: SettleTime = {
  seconds: 360,
  source:
    'assumption: RDS documents no duration for starting (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_StartInstance.html); several minutes, longer than a stop',
};

export const SETTLE_TIMES: Readonly<Record<ResourceKind, Readonly<Record<Target, SettleTime>>>> = {
  'ec2-instance': { stopped: EC2_STOP, running: EC2_START },
  'rds-instance': { stopped: RDS_STOP, running: RDS_START },
  'rds-cluster': {
    stopped: { ...RDS_STOP, source: `${RDS_STOP.source}; a cluster planned as an instance` },
    running: { ...RDS_START, source: `${RDS_START.source}; a cluster planned as an instance` },
  },
  'ecs-service': {
    stopped: {
      seconds: 30,
      source:
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html (a container's stopTimeout defaults to 30 s); a service behind a load balancer drains longer, its deregistration delay (300 s by default)",
    },
    running: {
      seconds: 60,
      source: 'assumption: placing, pulling and starting a small task, about a minute, unpublished',
    },
  },
  'autoscaling-group': {
    // Suspending or resuming a group's processes is immediate; its instances move as EC2's do.
    stopped: { ...EC2_STOP, source: `${EC2_STOP.source}; a group's instances stop as EC2's do` },
    running: { ...EC2_START, source: `${EC2_START.source}; a group's instances start as EC2's do` },
  },
};
