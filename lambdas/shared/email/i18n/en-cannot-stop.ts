/** What the English emails say of the resources the reactor cannot stop (a part of en.ts). */

import { CANNOT_STOP_WHY } from '../../cannot-stop';
import type { CannotStopWording } from './wording';

const UNREADABLE = 'its data becomes unreadable while the key is unusable';

export const enCannotStop: CannotStopWording = {
  heading: 'What the reactor cannot stop',
  intro: (moment) => {
    switch (moment) {
      case 'grace-started':
        return (
          'These resources are encrypted with the key too, but AWS gives the reactor no way to stop them: ' +
          'they keep running whatever happens, and cannot read their data while the key is unusable.'
        );
      case 'shutdown-complete':
        return (
          'These resources are encrypted with the key too, but AWS gives the reactor no way to stop them: ' +
          'they are still running, and cannot read their data until the key is usable again.'
        );
      case 'alert-only':
        return (
          'These resources are encrypted with the key too; the reactor could not have stopped them under any ' +
          'policy, and they cannot read their data while the key is unusable.'
        );
      case 'service-restored':
        return (
          'These resources are encrypted with the key and could not be stopped: they kept running while the ' +
          'key was unusable, unable to read their data. They can read it again now: check that each of them ' +
          'serves its data, since their clients may have failed in the meantime.'
        );
    }
  },
  caption: 'Encrypted with the key, cannot be stopped',
  columns: ['Kind', 'Name', 'ARN', 'Why'],
  why: (reason) => {
    switch (reason.kind) {
      case 'no-stop-call':
        return CANNOT_STOP_WHY;
      case 'read-replica':
        return `cannot be stopped: an RDS read replica (of ${reason.source}), which RDS refuses to stop; ${UNREADABLE}`;
      case 'has-replicas':
        return (
          `cannot be stopped: an RDS instance with read replicas (${reason.replicas.join(', ')}), which RDS ` +
          `refuses to stop; ${UNREADABLE}`
        );
    }
  },
  unread: (keyArn) =>
    'The reactor could not read which resources encrypted with the key it cannot stop (ElastiCache, EFS, ' +
    `S3, RDS read replicas): key-reactor plan ${keyArn} lists them.`,
};
