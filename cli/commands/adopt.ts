import type { CliSession } from '../context';
import { printDependents, readDependents } from '../dependents';
import { EXIT, type ExitCode, UsageError } from '../errors';
import { keyMembers } from '../key-members';
import { registrationTags, Tagger } from '../tagger';

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
  const { members } = await keyMembers(r, keyArn);
  const report = await readDependents(
    r,
    keyArn,
    members.map((member) => member.resourceArn),
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
  const tags = registrationTags(keyArn, r.settings.managedTag);
  const tagger = new Tagger(session.aws);
  for (const dependent of adoptable) await tagger.tag(dependent, tags);
  if (out.json) out.data({ keyArn, adopted: adoptable, cannotStop: report.cannotStop });
  else
    out.line(
      `Tagged ${adoptable.length} resource(s): the workflows and the sweep now drive them with ${keyArn}.`,
    );
  return EXIT.ok;
}
