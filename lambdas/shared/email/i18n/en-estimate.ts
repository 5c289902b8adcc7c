/** What the English emails say of how long a large fleet takes under AWS's rate limits (a part of en.ts). */

import type { EstimateWording, RateBound } from './wording';

const number = (n: number) => n.toLocaleString('en-US');

function why({ operation, burst, perSecond, perResource }: RateBound): string {
  const unit = perResource ? 'resources' : 'calls';
  return (
    `AWS limits how fast an account may call ${operation}: ${number(burst)} ${unit} at once, then ` +
    `${number(perSecond)} a second. The reactor keeps to that pace rather than be throttled, and shares ` +
    'it with every other key of the account being stopped or started at the same time.'
  );
}

export const enEstimate: EstimateWording = {
  heading: 'How long it will take',
  stopping: (took, bound) =>
    `Once the grace period ends, stopping all of these resources will take about ${took}. ${why(bound)}`,
  starting: (took, bound) =>
    `When the key is usable again, starting all of these resources will take about ${took}. ${why(bound)}`,
};
