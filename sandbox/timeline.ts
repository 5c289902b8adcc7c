import type { AwsCall } from './aws-calls';
import type { EventLog, ExecutionRecord } from './local-workflows';
import type { LocalReactor } from './reactor';

/**
 * Prints what the reactor does as it happens: seconds since the key changed, each state entered, each
 * stop or start call with the resources it names, each email with its subject (the administrators' and
 * the operators' copies are separate messages), each page to the operators, and a progress line
 * while a workflow waits out the grace period.
 */
export class Timeline {
  private origin = Date.now();
  private waiting: NodeJS.Timeout | undefined;

  constructor(private readonly write: (line: string) => void) {}

  attach(reactor: LocalReactor): void {
    reactor.stepFunctions.onEvent((execution, event) => this.onState(execution, event));
    reactor.calls.onCall((call) => this.onCall(call));
  }

  /** Seconds are counted from here: the moment the key changed. */
  restart(): void {
    this.origin = Date.now();
  }

  say(text: string): void {
    const seconds = ((Date.now() - this.origin) / 1000).toFixed(1).padStart(6);
    this.write(`${seconds}s  ${text}`);
  }

  close(): void {
    if (this.waiting) clearInterval(this.waiting);
  }

  private onState(execution: ExecutionRecord, event: EventLog): void {
    const who = `[${execution.name}]`;
    if (event.type === 'StateEntered') {
      if (this.waiting && event.state.name !== 'Wait for the grace period') this.stopWaiting();
      if (event.state.type === 'Choice') return;
      this.say(`${who} ${event.state.name}`);
      if (event.state.name === 'Wait for the grace period') this.startWaiting(who, event);
    } else if (event.type === 'StateRetried' && event.state.name === 'Take the lease and check the key') {
      this.say(`${who} the key's lease is held by another workflow; retrying`);
    } else if (event.type === 'ExecutionSucceeded') {
      this.say(`${who} succeeded`);
    } else if (event.type === 'ExecutionFailed') {
      this.stopWaiting();
      this.say(`${who} FAILED: ${event.Error}: ${String(event.Cause)}`);
    } else if (event.type === 'ExecutionAborted') {
      this.stopWaiting();
      this.say(`${who} ABORTED`);
    } else if (event.type === 'ExecutionTimeout') {
      this.stopWaiting();
      this.say(`${who} TIMED_OUT`);
    }
  }

  private startWaiting(who: string, event: EventLog): void {
    const input = 'state' in event ? (event.state.input as { registration?: { graceSeconds?: number } }) : {};
    const started = Date.now();
    const total = input.registration?.graceSeconds;
    this.waiting = setInterval(() => {
      const elapsed = Math.round((Date.now() - started) / 1000);
      this.say(
        `${who}   ... grace period running: ${elapsed}s of ${total ?? '?'}s (10 minutes when deployed)`,
      );
    }, 2000);
    this.waiting.unref();
  }

  private stopWaiting(): void {
    if (this.waiting) clearInterval(this.waiting);
    this.waiting = undefined;
  }

  private onCall(call: AwsCall): void {
    if (call.error) {
      this.say(`  AWS ${call.service} ${call.operation} failed: ${call.error}`);
      return;
    }
    const input = call.input;
    switch (call.operation) {
      case 'UpdateService':
        this.say(
          `  ECS UpdateService ${String(input.service).split('/').pop()}: desired count -> ${String(input.desiredCount)}`,
        );
        break;
      case 'StopInstances':
      case 'StartInstances':
        this.say(`  EC2 ${call.operation} ${(input.InstanceIds as string[]).join(', ')} (one call)`);
        break;
      case 'StopDBInstance':
      case 'StartDBInstance':
        this.say(`  RDS ${call.operation} ${String(input.DBInstanceIdentifier)}`);
        break;
      case 'StopDBCluster':
      case 'StartDBCluster':
        this.say(`  RDS ${call.operation} ${String(input.DBClusterIdentifier)}`);
        break;
      case 'SendEmail': {
        const to = (input.Destination as { ToAddresses?: string[] }).ToAddresses ?? [];
        const subject = (input.Message as { Subject: { Data: string } }).Subject.Data;
        this.say(`  email to ${to.join(', ')}: "${subject}"`);
        break;
      }
      case 'Publish':
        this.say(`  SNS page to the operators: "${String(input.Subject)}"`);
        break;
    }
  }
}
