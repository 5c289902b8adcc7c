import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT_DIR, WORKFLOWS } from '../lib/catalog';

/**
 * Draws each workflow as a Mermaid `stateDiagram-v2` from its ASL file, and writes the drawings into
 * docs/workflows.md between `<!-- diagram:<name> -->` and `<!-- /diagram:<name> -->` (`npm run diagrams`).
 * test/unit/diagrams.test.ts fails when the page's drawings are not what this would write.
 *
 * Every state is drawn, with every Next, Choice rule (labelled with its condition), Default and Wait.
 * The failure path (the states a Catch leads to, and what follows them) is drawn once, in red, with a
 * note instead of one arrow from every Task: every Task has the same Catch, and twenty arrows into one
 * box would hide the workflow.
 */

interface ChoiceRule {
  readonly Variable?: string;
  readonly Next?: string;
  readonly And?: readonly ChoiceRule[];
  readonly Or?: readonly ChoiceRule[];
  readonly Not?: ChoiceRule;
  readonly [comparator: string]: unknown;
}

interface AslState {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Default?: string;
  readonly Choices?: readonly ChoiceRule[];
  readonly Seconds?: number;
  readonly SecondsPath?: string;
  readonly Retry?: readonly { readonly ErrorEquals: readonly string[] }[];
  readonly Catch?: readonly { readonly ErrorEquals: readonly string[]; readonly Next: string }[];
}

export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
}

/** Errors every Task retries: not worth a label. Any other retried error is named on the arrow. */
const ROUTINE_RETRIES = new Set([
  'ThrottlingError',
  'TransientError',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
]);

const COMPARATORS: Readonly<Record<string, string>> = {
  StringEquals: '=',
  NumericEquals: '=',
  NumericGreaterThan: 'over',
  NumericGreaterThanEquals: '≥',
  NumericLessThan: 'under',
  NumericLessThanEquals: '≤',
  TimestampEquals: '=',
};

/** `Take the key lease` -> `takeTheKeyLease`: a Mermaid state ID, readable in the page's source. */
function idOf(name: string): string {
  const words = name
    .replace(/[^A-Za-z0-9 ]/g, '')
    .split(/\s+/)
    .filter(Boolean);
  return words
    .map((word, index) =>
      index === 0 ? word.toLowerCase() : word[0]?.toUpperCase() + word.slice(1).toLowerCase(),
    )
    .join('');
}

/** The last field of a JSONPath: `$.registration.total` -> `total`. */
function fieldOf(jsonPath: string): string {
  return jsonPath.slice(jsonPath.lastIndexOf('.') + 1);
}

/** A Choice rule in a few words: `total = 0`, `usable`, `attempt ≥ 60`, `action = alert-only`. */
export function conditionOf(rule: ChoiceRule): string {
  if (rule.And) return rule.And.map(conditionOf).join(' and ');
  if (rule.Or) return rule.Or.map(conditionOf).join(' or ');
  if (rule.Not) return `not ${conditionOf(rule.Not)}`;
  const field = fieldOf(rule.Variable ?? '?');
  if (rule.BooleanEquals === true) return field;
  if (rule.BooleanEquals === false) return `not ${field}`;
  for (const [comparator, value] of Object.entries(rule)) {
    if (comparator === 'Variable' || comparator === 'Next') continue;
    const word = COMPARATORS[comparator] ?? comparator.replace(/Path$/, ' path');
    return `${field} ${word} ${fieldOf(String(value))}`;
  }
  return field;
}

/**
 * The states a Catch leads to, and every state that follows them: the failure path. A Catch that goes on
 * to the state's own Next (an email that could not be sent never stops a run) is no way into it.
 */
function failurePath(definition: AslDefinition): Set<string> {
  const failure = new Set<string>();
  const visit = (name: string | undefined) => {
    if (name === undefined || failure.has(name)) return;
    failure.add(name);
    const state = definition.States[name];
    visit(state?.Next);
    for (const handler of state?.Catch ?? []) visit(handler.Next);
  };
  for (const state of Object.values(definition.States))
    for (const handler of state.Catch ?? []) if (handler.Next !== state.Next) visit(handler.Next);
  return failure;
}

/** The Mermaid source of one workflow, without the code fence. */
export function mermaidOf(definition: AslDefinition): string {
  const names = Object.keys(definition.States);
  const ids = new Map<string, string>();
  for (const name of names) {
    let id = idOf(name);
    while ([...ids.values()].includes(id)) id = `${id}X`;
    ids.set(name, id);
  }
  const id = (name: string) => ids.get(name) ?? idOf(name);
  const failure = failurePath(definition);
  const lines = ['stateDiagram-v2'];
  for (const name of names) lines.push(`    state "${name.replace(/"/g, "'")}" as ${id(name)}`);
  lines.push('');
  lines.push(`    [*] --> ${id(definition.StartAt)}`);

  const edge = (from: string, to: string, label?: string) =>
    lines.push(`    ${id(from)} --> ${to === '[*]' ? '[*]' : id(to)}${label ? ` : ${label}` : ''}`);
  for (const name of names) {
    const state = definition.States[name] as AslState;
    if (state.Type === 'Choice') {
      for (const rule of state.Choices ?? []) if (rule.Next) edge(name, rule.Next, conditionOf(rule));
      if (state.Default) edge(name, state.Default, 'otherwise');
      continue;
    }
    if (state.Type === 'Succeed' || state.Type === 'Fail' || state.End) {
      edge(name, '[*]');
      continue;
    }
    if (state.Next) {
      const special = (state.Retry ?? [])
        .flatMap((retry) => retry.ErrorEquals)
        .filter((e) => !ROUTINE_RETRIES.has(e));
      const label =
        state.Type === 'Wait'
          ? state.SecondsPath
            ? `after ${fieldOf(state.SecondsPath)}`
            : `after ${state.Seconds ?? 0} s`
          : special.length > 0
            ? `retries ${special.join(', ')}`
            : undefined;
      edge(name, state.Next, label);
    }
    // Catches into the failure path are the note's job; a Catch anywhere else is drawn.
    for (const handler of state.Catch ?? []) {
      const intoFailure = failure.has(handler.Next) && !failure.has(name);
      if (!intoFailure && handler.Next !== state.Next) edge(name, handler.Next, 'on error');
    }
  }

  const caughtInto = new Set(
    names.flatMap((name) =>
      failure.has(name)
        ? []
        : (definition.States[name]?.Catch ?? [])
            .filter((c) => c.Next !== definition.States[name]?.Next)
            .map((c) => c.Next),
    ),
  );
  const entry = names.find((name) => caughtInto.has(name));
  if (entry) {
    lines.push('');
    lines.push(`    note left of ${id(entry)}`);
    lines.push('        Every Task but the emails catches any error (States.ALL) and continues here;');
    lines.push('        an email that cannot be sent goes on with the run.');
    lines.push('        Each step of this path catches its own errors and moves on,');
    lines.push('        so the lease is always released.');
    lines.push('    end note');
    lines.push('    classDef failure fill:#fdecea,stroke:#c0392b,color:#7b241c');
    lines.push(
      `    class ${names
        .filter((name) => failure.has(name))
        .map(id)
        .join(', ')} failure`,
    );
  }
  return lines.join('\n');
}

/** The marker name of a workflow: its ASL file name, `key-disabled`. */
export function diagramName(aslFile: string): string {
  return path.basename(aslFile).replace(/\.asl\.json$/, '');
}

/** Every workflow's diagram, by marker name, from the ASL files on disk. */
export function diagrams(): Map<string, string> {
  return new Map(
    WORKFLOWS.map((workflow) => [
      diagramName(workflow.aslFile),
      mermaidOf(JSON.parse(readFileSync(workflow.aslFile, 'utf8')) as AslDefinition),
    ]),
  );
}

/** The page that holds the full diagrams; the README links to it and keeps only a short summary. */
const DIAGRAMS_PAGE_NAME = 'docs/workflows.md';
export const DIAGRAMS_PAGE = path.join(ROOT_DIR, DIAGRAMS_PAGE_NAME);

/** The page with each marked section replaced by its diagram; fails on a missing marker. */
export function withDiagrams(page: string, drawn: ReadonlyMap<string, string>): string {
  let result = page;
  for (const [name, mermaid] of drawn) {
    const open = `<!-- diagram:${name} -->`;
    const close = `<!-- /diagram:${name} -->`;
    const start = result.indexOf(open);
    const end = result.indexOf(close);
    if (start < 0 || end < start) {
      throw new Error(
        `${DIAGRAMS_PAGE_NAME} has no "${open}" ... "${close}" section for the ${name} workflow`,
      );
    }
    result = `${result.slice(0, start + open.length)}\n\n\`\`\`mermaid\n${mermaid}\n\`\`\`\n\n${result.slice(end)}`;
  }
  return result;
}

if (require.main === module) {
  const before = readFileSync(DIAGRAMS_PAGE, 'utf8');
  const after = withDiagrams(before, diagrams());
  if (after === before) {
    console.log(`${DIAGRAMS_PAGE_NAME}: the workflow diagrams are up to date`);
  } else {
    writeFileSync(DIAGRAMS_PAGE, after);
    console.log(`${DIAGRAMS_PAGE_NAME}: wrote the diagrams of ${[...diagrams().keys()].join(', ')}`);
  }
}
