/** What the Japanese emails say of the resources the reactor cannot stop (a part of ja.ts). */

import type { CannotStopWording } from './wording';

const UNREADABLE = 'キーが使用できない間、データは読み取れなくなります';

export const jaCannotStop: CannotStopWording = {
  heading: 'リアクターが停止できないリソース',
  intro: (moment) => {
    switch (moment) {
      case 'grace-started':
        return (
          '次のリソースもこのキーで暗号化されていますが、AWS にはこれらを停止する手段がありません。' +
          'どの場合も稼働し続け、キーが使用できない間はデータを読み取れません。'
        );
      case 'shutdown-complete':
        return (
          '次のリソースもこのキーで暗号化されていますが、AWS にはこれらを停止する手段がありません。' +
          '現在も稼働しており、キーが再び使用可能になるまでデータを読み取れません。'
        );
      case 'alert-only':
        return (
          '次のリソースもこのキーで暗号化されています。どのポリシーでもリアクターはこれらを停止できず、' +
          'キーが使用できない間はデータを読み取れません。'
        );
      case 'service-restored':
        return (
          '次のリソースはこのキーで暗号化されており、停止できませんでした。キーが使用できない間も稼働し続け、' +
          'データを読み取れない状態でした。現在は再びデータを読み取れます。クライアント側でエラーが' +
          '起きていた可能性があるため、それぞれがデータを提供できていることを確認してください。'
        );
    }
  },
  caption: 'キーで暗号化され、停止できないリソース',
  columns: ['種類', '名前', 'ARN', '理由'],
  why: (reason) => {
    switch (reason.kind) {
      case 'no-stop-call':
        return `停止できません。${UNREADABLE}`;
      case 'read-replica':
        return `停止できません。RDS のリードレプリカ (${reason.source} のレプリカ) は RDS が停止を受け付けません。${UNREADABLE}`;
      case 'has-replicas':
        return (
          `停止できません。リードレプリカ (${reason.replicas.join(', ')}) を持つ RDS インスタンスは ` +
          `RDS が停止を受け付けません。${UNREADABLE}`
        );
    }
  },
  unread: (keyArn) =>
    'このキーで暗号化され、リアクターが停止できないリソース (ElastiCache、EFS、S3、RDS リードレプリカ) を' +
    `読み取れませんでした。key-reactor plan ${keyArn} で確認できます。`,
};
