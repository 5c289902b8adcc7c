import type { PolicyLanguage } from '../../store/policy';
import { en } from './en';
import { ja } from './ja';
import type { Wording } from './wording';

export type { CannotStopMoment, Change, Deadline, HeldBack, RateBound, Wording } from './wording';

const WORDINGS: Readonly<Record<PolicyLanguage, Wording>> = { en, ja };

/** The emails' words in `language`; English when none is given. */
export function wordingFor(language: PolicyLanguage = 'en'): Wording {
  return WORDINGS[language];
}
