import { readFileSync } from 'node:fs';
import { WORKFLOWS } from '../../lib/catalog';
import {
  type AslDefinition,
  conditionOf,
  DIAGRAMS_PAGE,
  diagramName,
  diagrams,
  mermaidOf,
  withDiagrams,
} from '../../scripts/diagrams';

// The workflow diagrams in docs/workflows.md are drawn from the ASL files: this fails when they are stale.

describe('the workflow diagrams in docs/workflows.md', () => {
  it('are what `npm run diagrams` draws from the ASL files today', () => {
    // Prepare
    const page = readFileSync(DIAGRAMS_PAGE, 'utf8');

    // Act
    const redrawn = withDiagrams(page, diagrams());

    // Assess: a plain equality first, so a failure says what to run rather than print two pages.
    const upToDate = redrawn === page;
    expect({ upToDate, fix: 'npm run diagrams' }).toEqual({ upToDate: true, fix: 'npm run diagrams' });
  });

  it.each(WORKFLOWS.map((workflow) => [diagramName(workflow.aslFile), workflow.aslFile]))(
    'draw every state of %s',
    (_name, aslFile) => {
      const definition = JSON.parse(readFileSync(aslFile, 'utf8')) as AslDefinition;

      const mermaid = mermaidOf(definition);

      for (const state of Object.keys(definition.States)) expect(mermaid).toContain(`state "${state}" as `);
      expect(mermaid).toMatch(/^stateDiagram-v2\n/);
      expect(mermaid).toContain('note left of recordTheFailure');
    },
  );
});

describe('drawing a workflow', () => {
  const definition: AslDefinition = {
    StartAt: 'Take the lease',
    States: {
      'Take the lease': {
        Type: 'Task',
        Next: 'Is it usable?',
        Retry: [{ ErrorEquals: ['LeaseTakenError'] }, { ErrorEquals: ['ThrottlingError'] }],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Record the failure' }],
      },
      'Is it usable?': {
        Type: 'Choice',
        Choices: [{ Variable: '$.key.usable', BooleanEquals: true, Next: 'Wait a little' }],
        Default: 'Done',
      },
      'Wait a little': { Type: 'Wait', Seconds: 30, Next: 'Done' },
      Done: { Type: 'Succeed' },
      'Record the failure': { Type: 'Task', Next: 'Failed' },
      Failed: { Type: 'Fail' },
    },
  };

  it('labels special retries, Choice rules, the default and waits, and ends in [*]', () => {
    const mermaid = mermaidOf(definition);

    expect(mermaid).toContain('    [*] --> takeTheLease');
    expect(mermaid).toContain('    takeTheLease --> isItUsable : retries LeaseTakenError');
    expect(mermaid).toContain('    isItUsable --> waitALittle : usable');
    expect(mermaid).toContain('    isItUsable --> done : otherwise');
    expect(mermaid).toContain('    waitALittle --> done : after 30 s');
    expect(mermaid).toContain('    done --> [*]');
  });

  it('draws the failure path once, with a note instead of an arrow from every Task', () => {
    const mermaid = mermaidOf(definition);

    expect(mermaid).not.toContain('takeTheLease --> recordTheFailure');
    expect(mermaid).toContain('    recordTheFailure --> failed');
    expect(mermaid).toContain('    class recordTheFailure, failed failure');
  });

  it.each([
    [{ Variable: '$.registration.total', NumericEquals: 0 }, 'total = 0'],
    [{ Variable: '$.services.attempt', NumericGreaterThanEquals: 60 }, 'attempt ≥ 60'],
    [{ Variable: '$.registration.action', StringEquals: 'alert-only' }, 'action = alert-only'],
    [{ Variable: '$.urgent', BooleanEquals: false }, 'not urgent'],
    [
      { And: [{ Variable: '$.a', BooleanEquals: true }, { Not: { Variable: '$.b', BooleanEquals: true } }] },
      'a and not b',
    ],
  ])('words the Choice rule %j as "%s"', (rule, words) => {
    expect(conditionOf(rule)).toBe(words);
  });

  it('refuses a page without the markers', () => {
    expect(() => withDiagrams('# no diagrams here\n', diagrams())).toThrow(
      'docs/workflows.md has no "<!-- diagram:key-disabled -->" ... "<!-- /diagram:key-disabled -->" section',
    );
  });
});
