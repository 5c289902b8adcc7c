import { readFile } from 'node:fs/promises';
import type { Layer } from '../lambdas/shared/model';
import { BadFileError, CliError } from './errors';
import { type ResourceArgument, resourceArgument } from './inputs';

/** A resource read from `register --from`, with its own layer when its line names one. */
export interface FileResource extends ResourceArgument {
  readonly layer?: Layer;
}

interface LineProblem {
  readonly line: number;
  readonly message: string;
}

const LAYERS: readonly string[] = ['service', 'server'];

/** One line: a resource ARN, then optionally its layer. */
function parseLine(text: string): FileResource {
  const [arn = '', layer, ...rest] = text.split(/\s+/);
  if (rest.length > 0) {
    throw new CliError(`expected "<resource ARN> [service|server]", got ${rest.length + 2} words`);
  }
  if (layer !== undefined && !LAYERS.includes(layer)) {
    throw new CliError(`the layer "${layer}" is neither service nor server`);
  }
  return { ...resourceArgument(arn), ...(layer === undefined ? {} : { layer: layer as Layer }) };
}

/**
 * The resources in a `register --from` file: one resource ARN a line, optionally followed by its layer
 * (`service` or `server`); blank lines and lines starting with `#` are skipped. Every line is checked
 * before anything is returned, and a file with any bad line is refused whole (BadFileError, exit code
 * 2), naming each bad line by its number, so that a half-registered fleet never has to be cleaned up.
 */
export function parseResourceFile(file: string, text: string): FileResource[] {
  const resources: FileResource[] = [];
  const problems: LineProblem[] = [];
  const firstSeen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const content = raw.trim();
    if (content === '' || content.startsWith('#')) return;
    try {
      const resource = parseLine(content);
      const earlier = firstSeen.get(resource.resourceArn);
      if (earlier !== undefined) throw new CliError(`${resource.resourceArn} is already on line ${earlier}`);
      firstSeen.set(resource.resourceArn, line);
      resources.push(resource);
    } catch (error) {
      problems.push({ line, message: (error as Error).message });
    }
  });
  if (problems.length > 0) {
    const listed = problems.map((problem) => `line ${problem.line}: ${problem.message}`).join('; ');
    throw new BadFileError(
      `${file}: ${problems.length} bad line${problems.length === 1 ? '' : 's'}, nothing registered: ${listed}`,
      problems,
    );
  }
  if (resources.length === 0) throw new BadFileError(`${file} lists no resource`);
  return resources;
}

/** Reads and parses a `register --from` file; a file that cannot be read is bad input too. */
export async function readResourceFile(file: string): Promise<FileResource[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : (code ?? message);
    throw new BadFileError(`cannot read ${file}: ${why}`);
  }
  return parseResourceFile(file, text);
}
