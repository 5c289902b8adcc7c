import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { LIMITS } from '../../lambdas/shared/contract';
import { definitionValues, functionArnVariable, substitute, WORKFLOWS } from '../../lib/catalog';

interface State {
  Type: string;
  Resource?: string;
  Next?: string;
  Default?: string;
  Retry?: { ErrorEquals: string[]; JitterStrategy?: string }[];
  TimeoutSeconds?: number;
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Choices?: { Next: string }[];
}

const substitutions = definitionValues(
  600,
  (folder) => `arn:aws:lambda:us-east-1:123456789012:function:${folder}`,
);

describe.each(WORKFLOWS.map((workflow) => [workflow.name, workflow.aslFile]))(
  'the %s workflow',
  (_name, file) => {
    const raw = readFileSync(file, 'utf8');
    const definition = JSON.parse(substitute(raw, substitutions)) as {
      StartAt: string;
      States: Record<string, State>;
    };
    const states = Object.entries(definition.States);

    it('is valid Amazon States Language once substituted', () => {
      const { isValid, errorsText } = aslValidator(definition);
      expect(errorsText('\n')).toBe('');
      expect(isValid).toBe(true);
    });

    it('uses JSONPath only: no JSONata, no Assign, no SDK integrations', () => {
      expect(raw).not.toMatch(
        /"QueryLanguage"\s*:\s*"JSONata"|"Assign"|"Arguments"|arn:aws:states:::aws-sdk:/,
      );
    });

    it('makes every Task a Lambda function of the reactor, retried on throttling and transient errors', () => {
      for (const [name, state] of states.filter(([, s]) => s.Type === 'Task')) {
        expect({ name, resource: state.Resource }).toEqual({
          name,
          resource: expect.stringMatching(/^arn:aws:lambda:.*:function:/),
        });
        const retried = (state.Retry ?? []).flatMap((retry) => retry.ErrorEquals);
        expect({ name, retried }).toEqual({
          name,
          retried: expect.arrayContaining([
            'ThrottlingError',
            'TransientError',
            'Lambda.TooManyRequestsException',
          ]),
        });
        expect(state.Retry?.every((retry) => retry.JitterStrategy === 'FULL')).toBe(true);
        expect({ name, caught: state.Catch?.some((c) => c.ErrorEquals.includes('States.ALL')) }).toEqual({
          name,
          caught: true,
        });
      }
    });

    it("retries a step that timed out, and gives up waiting on one a little after the Lambda's own timeout", () => {
      for (const [name, state] of states.filter(([, s]) => s.Type === 'Task')) {
        const retried = (state.Retry ?? []).flatMap((retry) => retry.ErrorEquals);
        expect({ name, retried }).toEqual({
          name,
          retried: expect.arrayContaining([
            'Lambda.ServiceException',
            'Lambda.Unknown',
            'Sandbox.Timedout',
            'States.Timeout',
          ]),
        });
        expect({ name, timeout: state.TimeoutSeconds }).toEqual({ name, timeout: LIMITS.taskTimeoutSeconds });
      }
      expect(LIMITS.taskTimeoutSeconds).toBeGreaterThan(LIMITS.stepTimeoutSeconds);
    });

    it('ends every failure in a Fail state after recording it and emailing the operators', () => {
      const targets = states.flatMap(([, state]) =>
        (state.Catch ?? []).map((c) => c.Next).filter((next) => next !== state.Next),
      );
      expect(new Set(targets)).toEqual(new Set(['Record the failure']));
      // Each step of the failure path goes on to the next whatever happens, down to the Fail state.
      const path: string[] = [];
      for (let name: string | undefined = 'Record the failure'; name; name = definition.States[name]?.Next) {
        path.push(name);
        const state = definition.States[name];
        for (const handler of state?.Catch ?? []) expect(handler.Next).toBe(state?.Next);
      }
      expect(path).toEqual([
        'Record the failure',
        'Release the lease after the failure',
        'Email the operators about the failure',
        'Workflow failed',
      ]);
      expect(definition.States['Workflow failed']?.Type).toBe('Fail');
    });

    it('never lets an email fail, delay or skip a stop or a start: a failed notify step goes on', () => {
      const emails = states.filter(
        ([, state]) => state.Resource === substitutions[functionArnVariable('Notify')],
      );
      expect(emails.length).toBeGreaterThan(0);
      for (const [name, state] of emails) {
        expect({ name, caught: state.Catch?.map((c) => [c.ErrorEquals, c.Next]) }).toEqual({
          name,
          caught: [[['States.ALL'], state.Next]],
        });
      }
    });

    it('names its states in plain words a support engineer can read in the console', () => {
      for (const [name] of states) expect(name).toMatch(/^[A-Z][a-z' ,]+(?: [a-z' ,]+)*[a-z?]$/);
    });

    it('reaches every state from the start', () => {
      const reached = new Set<string>();
      const visit = (name: string): void => {
        if (reached.has(name)) return;
        reached.add(name);
        const state = definition.States[name];
        for (const next of [state?.Next, state?.Default, ...(state?.Choices ?? []).map((c) => c.Next)]) {
          if (next) visit(next);
        }
        for (const c of state?.Catch ?? []) visit(c.Next);
      };
      visit(definition.StartAt);
      expect([...reached].sort()).toEqual(states.map(([name]) => name).sort());
    });
  },
);

interface LeaseRetry {
  readonly ErrorEquals: string[];
  readonly IntervalSeconds: number;
  readonly BackoffRate: number;
  readonly MaxAttempts: number;
  readonly MaxDelaySeconds: number;
}

describe.each(WORKFLOWS.map((workflow) => [workflow.name, workflow.aslFile]))(
  'the %s workflow and the lease',
  (_name, file) => {
    const definition = JSON.parse(substitute(readFileSync(file, 'utf8'), substitutions)) as {
      TimeoutSeconds?: number;
      States: Record<string, { Retry?: LeaseRetry[] }>;
    };

    it('bounds its run time (TimeoutSeconds), so a stuck run ends and its lease is taken over', () => {
      expect(definition.TimeoutSeconds).toBe(
        _name === 'disable' ? LIMITS.disableTimeoutSeconds : LIMITS.enableTimeoutSeconds,
      );
    });

    it('waits for a taken lease longer than a live holder can hold it (its poll loops, 2 hours), within its own timeout', () => {
      // Prepare
      const retry = definition.States['Take the lease and check the key']?.Retry?.find((r) =>
        r.ErrorEquals.includes('LeaseTakenError'),
      );
      expect(retry).toBeDefined();
      const { IntervalSeconds, BackoffRate, MaxAttempts, MaxDelaySeconds } = retry as LeaseRetry;

      // Act: with full jitter each delay is uniform between 0 and its cap, so it averages half of it.
      let expectedSeconds = 0;
      for (let attempt = 0; attempt < MaxAttempts; attempt++) {
        expectedSeconds += Math.min(IntervalSeconds * BackoffRate ** attempt, MaxDelaySeconds) / 2;
      }

      // Assess: a third more than a holder's poll loops and retries, and each attempt's few events well
      // inside the 25,000-event history. The workflow's own TimeoutSeconds ends a longer wait.
      expect(expectedSeconds).toBeGreaterThan(2 * 3600 * 1.33);
      expect(MaxAttempts * 4).toBeLessThan(25_000);
    });
  },
);

describe('the disable workflow and the key policy', () => {
  const definition = JSON.parse(
    substitute(readFileSync(WORKFLOWS[0]?.aslFile ?? '', 'utf8'), substitutions),
  ) as { States: Record<string, Record<string, unknown>> };

  it("waits the grace period the key's policy gives, with the deployed one as the fallback", () => {
    // Counted from the run's start (stopAt = start + grace), so a slow first email never delays the stop.
    expect(definition.States['Wait for the grace period']?.TimestampPath).toBe('$.registration.stopAt');
    expect(definition.States["Find the key's resources and policy"]?.Parameters).toMatchObject({
      'deployedGraceSeconds.$': "States.StringToJson('600')",
    });
  });

  it('never reaches a stop step from the alert-only branch', () => {
    const choice = definition.States["Does the key's policy allow stopping?"] as {
      Choices: { Variable: string; StringEquals: string; Next: string }[];
      Default: string;
    };
    expect(choice.Choices).toEqual([
      {
        Variable: '$.key.action',
        StringEquals: 'alert-only',
        Next: 'Release the lease, alert only',
      },
    ]);
    expect(choice.Default).toBe('Stop the services');
  });
});

describe.each([
  ['disable', 'StopResources', 'StartResources'],
  ['enable', 'StartResources', 'StopResources'],
] as const)('the %s workflow poll loop', (name, own, other) => {
  const definition = JSON.parse(
    substitute(readFileSync(WORKFLOWS.find((w) => w.name === name)?.aslFile ?? '', 'utf8'), substitutions),
  ) as { States: Record<string, { Resource?: string; Parameters?: Record<string, unknown> }> };

  it(`checks each layer again with ${own}, passing the turn it is on`, () => {
    // Prepare
    const polls = Object.entries(definition.States).filter(([state]) => state.startsWith('Check whether'));

    // Assess
    expect(polls).toHaveLength(2);
    for (const [, state] of polls) {
      expect(state.Resource).toBe(substitutions[functionArnVariable(own)]);
      expect(state.Parameters?.['attempt.$']).toMatch(/^\$\.(services|servers)\.attempt$/);
    }
  });

  it(`never calls ${other}: its role lacks the other direction's permissions`, () => {
    const resources = Object.values(definition.States).map((state) => state.Resource);
    expect(resources).not.toContain(substitutions[functionArnVariable(other)]);
  });
});

describe.each([
  ['disable', 'Stop', 'StopResources'],
  ['enable', 'Start', 'StartResources'],
] as const)('the %s workflow on a large layer', (name, verb, own) => {
  const definition = JSON.parse(
    substitute(readFileSync(WORKFLOWS.find((w) => w.name === name)?.aslFile ?? '', 'utf8'), substitutions),
  ) as { States: Record<string, Record<string, unknown>> };

  it.each(['services', 'servers'])(
    `fans the %s out on an inline Map of lanes, one per kind, when ${verb} says the layer is too large`,
    (layer) => {
      // Prepare
      const first = definition.States[`${verb} the ${layer}`] as { Parameters: Record<string, unknown> };
      const map = definition.States[`${verb} the ${layer} in batches`] as {
        Type: string;
        ItemsPath: string;
        MaxConcurrency: number;
        ItemProcessor: { ProcessorConfig: { Mode: string }; States: Record<string, { Resource?: string }> };
        Catch: { ErrorEquals: string[]; Next: string }[];
      };

      // Assess: only the first step may answer with batches, and the Map's failure is recorded.
      expect(first.Parameters.fanOut).toBe(true);
      expect(map).toMatchObject({ Type: 'Map', ItemsPath: `$.${layer}.batches`, MaxConcurrency: 5 });
      expect(map.ItemProcessor.ProcessorConfig.Mode).toBe('INLINE');
      const resources = Object.values(map.ItemProcessor.States).flatMap((state) =>
        state.Resource ? [state.Resource] : [],
      );
      expect(new Set(resources)).toEqual(new Set([substitutions[functionArnVariable(own)]]));
      expect(map.Catch).toEqual([
        expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'Record the failure' }),
      ]);
    },
  );
});

describe.each([
  ['disable', 'Stop the services'],
  ['enable', 'Start the servers'],
] as const)('the %s workflow before its first %s', (name, first) => {
  const definition = JSON.parse(
    substitute(readFileSync(WORKFLOWS.find((w) => w.name === name)?.aslFile ?? '', 'utf8'), substitutions),
  ) as { StartAt: string; States: Record<string, State & { Parameters?: Record<string, unknown> }> };

  it('takes the lease and checks the key in one Lambda step, the only one after the grace period', () => {
    // Prepare: the Tasks on every way from the start (the disable run: from the grace wait) to the first
    // stop or start, through every Choice's branches; a failure's Catch is no way there.
    const ways: string[][] = [];
    const walk = (state: string, tasks: readonly string[]): void => {
      if (state === first) return void ways.push([...tasks]);
      const current = definition.States[state];
      if (!current) return;
      const onTheWay = current.Type === 'Task' ? [...tasks, state] : tasks;
      const nexts = [current.Next, current.Default, ...(current.Choices ?? []).map((c) => c.Next)];
      for (const next of nexts) if (next) walk(next, onTheWay);
    };
    walk(name === 'disable' ? 'Wait for the grace period' : definition.StartAt, []);

    // Assess
    expect(ways).toEqual([['Take the lease and check the key']]);
    const step = definition.States['Take the lease and check the key'];
    expect(step?.Resource).toBe(substitutions[functionArnVariable('DescribeKey')]);
    expect(step?.Parameters?.lease).toEqual({
      'executionArn.$': '$$.Execution.Id',
      'eventTime.$': '$$.Execution.Input.eventTime',
    });
    expect(step?.Parameters?.countStopped).toBe(name === 'enable' ? true : undefined);
    expect(step?.Retry?.[0]?.ErrorEquals).toEqual(['LeaseTakenError']);
  });

  it('never invokes the lease function but to give the lease back', () => {
    const leaseSteps = Object.values(definition.States).filter(
      (state) => state.Resource === substitutions[functionArnVariable('Lease')],
    );
    expect(leaseSteps.length).toBeGreaterThan(0);
    for (const state of leaseSteps) expect(state.Parameters?.action).toBe('release');
  });
});
