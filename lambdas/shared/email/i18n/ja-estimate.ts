/** What the Japanese emails say of how long a large fleet takes under AWS's rate limits (a part of ja.ts). */

import type { EstimateWording, RateBound } from './wording';

const number = (n: number) => n.toLocaleString('ja-JP');

function why({ operation, burst, perSecond, perResource }: RateBound): string {
  const unit = perResource ? 'リソース' : '回の呼び出し';
  return (
    `AWS はアカウントが ${operation} を呼び出す速さを制限しています（一度に ${number(burst)} ${unit}、` +
    `その後は毎秒 ${number(perSecond)}）。リアクターはスロットリングされないようこのペースを守り、` +
    '同じアカウントで同時に停止・起動される他の鍵とこれを分け合います。'
  );
}

export const jaEstimate: EstimateWording = {
  heading: 'かかる時間',
  stopping: (took, bound) =>
    `猶予期間が終わると、これらのリソースをすべて停止するのに約${took}かかります。${why(bound)}`,
  starting: (took, bound) =>
    `鍵が再び使用可能になると、これらのリソースをすべて起動するのに約${took}かかります。${why(bound)}`,
};
