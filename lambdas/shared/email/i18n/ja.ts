/**
 * The emails in Japanese, for the keys whose policy says `ja`: polite business Japanese (です・ます調).
 * Dates stay unambiguous and in UTC (`2026年11月22日 15:32 UTC`); AWS names (KMS, DisableKey, ARNs,
 * resource kinds) stay as AWS writes them, as in AWS's own Japanese documentation.
 */

import { jaCannotStop } from './ja-cannot-stop';
import { jaEstimate } from './ja-estimate';
import { subjectTimeWith, type Wording } from './wording';

const DAY_MS = 24 * 60 * 60 * 1000;

function time(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 4)}年${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日 ${iso.slice(11, 16)} UTC`;
}

const REIMPORT_STEPS =
  '新しいラッピングキーとインポートトークンを取得し、そのラッピングキーで鍵マテリアルをラップしてからインポートしてください';

const DIRECTION = { shutdown: '停止', restart: '再開' } as const;

export const ja: Wording = {
  language: 'ja',
  signature: 'このメールはキーライフサイクル・リアクターが送信しました。',

  time,
  subjectTime: subjectTimeWith(time),
  duration(seconds) {
    const minutes = Math.floor(seconds / 60);
    const rest = Math.round(seconds % 60);
    if (minutes === 0) return `${rest}秒`;
    return rest === 0 ? `${minutes}分` : `${minutes}分${rest}秒`;
  },
  dueIn(dueAt, now) {
    const left = dueAt.getTime() - now.getTime();
    if (left <= 0) return '期限を過ぎています';
    const days = Math.floor(left / DAY_MS);
    return days === 0 ? 'あと1日未満' : `あと${days}日`;
  },
  resources: (n) => `${n}件のリソース`,
  needAttention: (n) => `${n}件は要確認`,

  key: (shortId, alias) => `キー ${shortId}${alias ? ` (${alias})` : ''}`,
  changes: {
    DisableKey: { subject: '無効化されました', sentence: '無効化されました' },
    ScheduleKeyDeletion: { subject: '削除が予約されました', sentence: '削除が予約されました' },
    DeleteImportedKeyMaterial: {
      subject: '鍵マテリアルが削除されました',
      sentence: 'インポートされた鍵マテリアルが削除されました',
    },
    'KMS Imported Key Material Expiration': {
      subject: '鍵マテリアルの有効期限が切れました',
      sentence: 'インポートされた鍵マテリアルの有効期限が切れました',
    },
    'KMS CMK Deletion': { subject: '削除されました', sentence: '待機期間の終了により KMS が削除しました' },
    EnableKey: { subject: '有効化されました', sentence: '有効化されました' },
    CancelKeyDeletion: { subject: '削除予約が取り消されました', sentence: '削除予約が取り消されました' },
    ImportKeyMaterial: {
      subject: '鍵マテリアルが再インポートされました',
      sentence: '鍵マテリアルが再インポートされました',
    },
    KeyFoundUnusable: {
      subject: '使用できない状態で見つかりました',
      sentence:
        '使用できない状態であることが定期スイープで見つかりました (KMS のイベントはリアクターに届いていません)',
    },
    PutKeyPolicy: { subject: 'キーポリシーを変更されました', sentence: 'キーポリシーが変更されました' },
    RevokeGrant: { subject: 'グラントを取り消されました', sentence: 'グラントが取り消されました' },
    RetireGrant: { subject: 'グラントを廃止されました', sentence: 'グラントが廃止されました' },
    KeyAccessRevoked: {
      subject: '使用できなくなりました (アクセス権の取り消し)',
      sentence:
        'アクセス権が取り消され、プラットフォームから使用できなくなりました (キーポリシーまたはグラントによるもの)',
    },
    KeyAccessRestored: {
      subject: '再び使用できるようになりました (アクセス権の復元)',
      sentence:
        'アクセス権が元に戻り、プラットフォームから再び使用できるようになりました (キーポリシーまたはグラントによるもの)',
    },
    KeyFoundUsable: {
      subject: '再び使用可能な状態で見つかりました',
      sentence:
        '再び使用可能であることが定期スイープで見つかりました (KMS のイベントはリアクターに届いていません)',
    },
  },
  keyChanged: (key, change) => `${key} が${change.subject}`,
  whatHappened: (keyArn, change, at) => `お客様のキー ${keyArn} は ${at} に${change.sentence}`,
  headline: (start, rest) => `${start}: ${rest}`,

  tables: {
    layers: { service: 'サービス', server: 'サーバー' },
    resourceColumns: ['層', '種類', '名前', 'ARN'],
    skippedColumns: ['名前', 'ARN', '理由'],
    none: (caption) => `${caption}: なし`,
    atRisk: '停止するリソース (停止する順)',
    atRiskAlertOnly: 'このキーを使用するリソース',
    leftRunning: '稼働を続けているリソース',
    keptRunning: '稼働を続けたリソース',
    stillStopped: 'リアクターが停止し、停止したままのリソース',
    stoppedOrToBe: '停止済み、または停止予定のリソース',
    skipped: 'リアクターが操作しなかったリソース',
    needsAttention: '要確認',
    acted: (layer, direction) =>
      `${direction === 'shutdown' ? '停止した' : '開始した'}${layer === 'service' ? 'サービス' : 'サーバー'}`,
    tally: (resources, direction, attention) =>
      `${resources}を${DIRECTION[direction]}しました${attention ? ` (${attention})` : ''}`,
    missed: (direction) =>
      `リアクターは次のリソースを${direction === 'shutdown' ? '停止しませんでした' : '開始できませんでした'}。それぞれご自身でご確認ください。`,
  },

  sections: {
    howToUndo: '元に戻す方法',
    howToBringBack: 'サービスを再開する方法',
    whatHappensNext: '今後の流れ',
    whoChanged: 'キーを変更した人',
    who: '実行者',
    from: '接続元',
    using: '使用ツール',
    when: '日時',
    event: 'イベント',
    unknown: '不明',
    eventOf: (trigger, eventId) => `${trigger} (イベント ${eventId})`,
    sweepWho: '不明です。KMS のイベントはリアクターに届かず、定期スイープが変更を見つけました',
    sweepWhen: (at) => `${at} に検出 (変更自体はそれ以前に行われました)`,
    kmsItself: (trigger) => `AWS KMS 自体 (${trigger}) であり、人による操作ではありません`,
    followTheRun: '実行の経過',
    openInConsole: 'Step Functions コンソールで実行を開く',
    execution: (executionArn) => `実行: ${executionArn}`,
    reference: (executionName) =>
      `このメールについてプラットフォームの運用担当者へお問い合わせの際は、次の参照番号をお伝えください: ${executionName}`,
  },

  recovery: {
    deleted:
      'この操作は元に戻せません。KMS はキーを削除したため、このキーで暗号化されたデータは復号できなくなりました。' +
      'リソースは停止したままです。このキーに依存しないバックアップから復元するか、リアクターの登録から外してください。',
    badArn:
      'イベントのキー ARN の形式が正しくないため、ここではコマンドを記載していません。キーを所有するアカウントの ' +
      'KMS コンソールで、キーを再び使用可能にしてください。',
    cancelDeletion: '削除を取り消してから、キーを有効化してください (削除を取り消したキーは無効のままです):',
    reimport: `同じ鍵マテリアルを再インポートしてください。データを復号できるのは、キーが持っていた鍵マテリアルだけです。${REIMPORT_STEPS}:`,
    findOut:
      'まずキーの状態を確認してください (出力の KeyState)。Disabled の場合は有効化してください。PendingDeletion の場合は' +
      '削除を取り消してから有効化してください。PendingImport の場合は同じ鍵マテリアルを再インポートしてください。',
    enable: 'キーを有効化してください:',
    accessRevoked:
      'プラットフォームのアクセス権を元に戻してください。プラットフォームのアカウントにキーの使用を許可していた' +
      'キーポリシーのステートメント (またはグラント) を、kms:DescribeKey と kms:GenerateDataKeyWithoutPlaintext を' +
      '含めて戻してください。リアクターによる確認 (プローブ) が再び成功すると、停止したリソースは自動的に再開されます:',
  },

  graceStarted: {
    subject: (keyChanged, resources, _n, at) =>
      `${keyChanged}: ${at ? `${at} に` : '猶予期間の終了後に'}${resources}を停止します`,
    subjectAlertOnly: (keyChanged, resources) =>
      `${keyChanged}: ${resources}に影響、停止はしません (通知のみ)`,
    title: (at) => `${at ? `${at} に` : '猶予期間の終了後に'}リソースを停止します`,
    titleAlertOnly: 'リソースは稼働を続けます (通知のみのポリシー)',
    paragraph: (happened, deadline, alertOnly) =>
      `${happened}。このキーを使用するリソースのデータを、プラットフォームは復号できなくなりました。` +
      (alertOnly
        ? 'このキーのポリシーは通知のみ (alert-only) のため、リアクターはリソースを停止しません。' +
          'リソースは稼働を続けますが、データにアクセスできなくなるため、エラーになる可能性があります。'
        : `${deadline ? `${deadline.at} (あと${deadline.in}) まで` : '猶予期間の終了まで'}にキーが再び使用可能にならない場合、` +
          'リアクターはリソースを安全に停止します。まずサービスを、次にそれを実行するサーバーを停止します。データは削除されません。'),
    checkAgain: (at) =>
      at
        ? `${at} に、リアクターはキーの状態を再確認します。`
        : '猶予期間が終わると、リアクターはキーの状態を再確認します。',
    next: [
      'それまでにキーが使用可能になっていれば何も停止せず、その旨をもう一度メールでお知らせします。',
      '使用可能になっていなければ、リアクターはサービス、サーバーの順に停止し、停止したものをメールでお知らせします。' +
        'キーが再び使用可能になると、リアクターが自動的に再開します。',
    ],
    nextAlertOnly: [
      'それまでにキーが使用可能になっていれば、その旨をもう一度メールでお知らせします。',
      '使用可能になっていなくても、リアクターは何も停止せず (このキーのポリシーは通知のみです)、' +
        'リソースが稼働を続けていることをメールでお知らせします。',
    ],
    inTime: (at) => `${at ? `${at} より前に` : '期限内に'}キーが再び使用可能になれば、何も停止しません。`,
  },

  shutdownComplete: {
    title: 'リソースを停止しました',
    paragraph: (happened) =>
      `${happened}。猶予期間の終了時点でも使用できないままだったため、リアクターはこのキーを使用するリソースを、` +
      'サービス、サーバーの順に停止しました。削除したものはありません。すべてのリソースのデータと設定はそのまま残っています。',
    afterEnable:
      'キーが使用可能になると、リアクターはサーバー、サービスの順に自動的に開始し、再開したらメールでお知らせします。' +
      '開始するのは、リアクターが停止したものだけです。',
  },

  alertOnly: {
    subject: (keyChanged, resources, tag) => `${keyChanged}: ${resources}は稼働を続けています (${tag})`,
    title: (why) => `何も停止していません (${why})`,
    paragraph: (happened, checkedAt, reason) =>
      `${happened}。${checkedAt ? `猶予期間の終了時点 (${checkedAt} に確認) でも使用できないままでした。` : ''}` +
      `${reason}以下のリソースは稼働を続けていますが、プラットフォームはそのデータを復号できません。` +
      'キーが再び使用可能になるまで、これらのリソースでエラーが発生する見込みです。',
    heldBack: {
      policy: {
        tag: '通知のみ',
        title: '通知のみのポリシー',
        reason: 'このキーのポリシーは通知のみ (alert-only) のため、リアクターは何も停止していません。',
        next: 'これ以上、自動では何も起こりません。通知のみのキーのリソースを、リアクターは停止しません。',
      },
      paused: {
        tag: 'リアクター一時停止中',
        title: 'リアクターは一時停止中です',
        reason:
          'リアクターが一時停止中のため、何も停止していません。プラットフォームの運用担当者が一時停止しており、' +
          '再開されるまで、どのキーについても何も停止しません。',
        next: '運用担当者がリアクターを再開すると、それまでにキーが使用可能になっていない限り、これらのリソースを停止します。',
      },
      breaker: {
        tag: '停止を保留',
        title: '停止を保留しました',
        reason:
          'リアクターのサーキットブレーカーが停止を保留したため、何も停止していません。1 時間以内に使用できなくなったキーが、' +
          'リアクターが単独で対応できる数を超えたため、リアクターは操作を止めてプラットフォームの運用担当者に連絡しました。',
        next: 'プラットフォームの運用担当者がリアクターを再開すると、それまでにキーが使用可能になっていない限り、これらのリソースを停止します。',
      },
      unconfirmed: {
        tag: 'アクセス権の取り消しは未確定',
        title: 'アクセス権の取り消しはまだ確定していません',
        reason:
          'プラットフォームがキーの使用を初めて拒否されてから、まだ猶予期間が経過していません。アクセス権の取り消しを理由に' +
          'リアクターがリソースを停止するのは、猶予期間以上の間隔を空けた 2 回の確認がどちらも拒否された場合だけです。' +
          '修正中のキーポリシーにも、猶予期間を設けるためです。',
        next: '次の確認でもプラットフォームがキーの使用を拒否された場合、リアクターはこれらのリソースの猶予期間を開始します。',
      },
    },
    nothingToRestart: 'キーが再び使用可能になっても、何も停止していないため、再開の必要はありません。',
    stopThemYourself: 'データなしで稼働させてはならないリソースがあれば、ご自身で停止してください。',
  },

  keyUsableAgain: {
    headline: (key) => `${key} は再び使用可能です: 何も停止していません`,
    paragraph: (happened, checkedAt) =>
      `${happened}。猶予期間の終了時点 (${checkedAt} に確認) では再び使用可能になっていたため、` +
      'リアクターは何も停止していません。対応は不要です。',
  },

  serviceRestored: {
    subject: (key, tally) => `${key} は再び使用可能です: ${tally}`,
    title: (key) => `${key} は再び使用可能です: サービスを再開しました`,
    paragraph: (keyArn) =>
      `お客様のキー ${keyArn} が再び使用可能になったため、リアクターは停止していたリソースを、サーバー、` +
      'その上で動くサービスの順に開始しました。ほかの方が停止したリソースはそのままにしています。',
  },

  startHeldBack: {
    subject: (keyChanged, resources) =>
      `${keyChanged}: ${resources}は再開していません (リアクター一時停止中)`,
    title: '何も開始していません (リアクターは一時停止中です)',
    paragraph: (happened) =>
      `${happened}。リアクターが一時停止中のため、何も開始していません。プラットフォームの運用担当者が一時停止しており、` +
      '再開されるまで、どのキーについても何も開始しません。',
    next: [
      '運用担当者がリアクターを再開すると、その時点でキーが使用可能であれば、これらのリソースを再び開始します。',
      'それより早く稼働させる必要がある場合は、プラットフォームの運用担当者にリアクターの再開をご依頼ください。',
    ],
  },

  workflowFailed: {
    subject: (direction, key, error) =>
      `要対応: キー ${key} の${DIRECTION[direction]}処理が失敗しました (${error})`,
    title: (direction, key) => `キー ${key} の${DIRECTION[direction]}処理が失敗しました`,
    paragraph: (direction, keyArn, trigger, at, failedAt) =>
      `お客様のキー ${keyArn} に対するリアクターの${direction === 'shutdown' ? 'disable' : 'enable'} ワークフローは、` +
      `${at} の ${trigger} によって開始され、${failedAt} にエラーで終了しました。` +
      `このキーのリソースは一部だけ${direction === 'shutdown' ? '停止' : '開始'}している可能性があります。`,
    unknownError: '不明なエラー',
    error: 'エラー',
    message: 'メッセージ',
    key: 'キー',
    trigger: 'きっかけ',
    triggerOf: (trigger, eventId) => `${trigger} (イベント ${eventId})`,
    cause: '原因',
    whatToCheck: '確認すること',
    advice: {
      KeyAccessDeniedError:
        'キーのポリシーまたはグラント: プラットフォームのロールがキーを参照できなくなっている可能性があります。',
      LeaseTakenError: '同じキーの別の実行: 再試行期間のあいだずっとリースを保持していました。',
      ThrottlingError:
        'リージョンの AWS サービスの状態とクォータ: すべての再試行のあとも呼び出しが失敗し続けました。',
      TransientError:
        'リージョンの AWS サービスの状態とクォータ: すべての再試行のあとも呼び出しが失敗し続けました。',
      UnsupportedResourceError:
        'キーに登録されたリソース: リアクターが対応していない種類のものが含まれています。',
      InvalidInputError: 'キーに登録されたリソース: リアクターが対応していない種類のものが含まれています。',
      ConfigurationError: 'デプロイで設定された関数の環境変数。',
      'States.Timeout': '想定した状態にならなかったリソース: それぞれのコンソールでの状態。',
      'States.TaskFailed': '想定した状態にならなかったリソース: それぞれのコンソールでの状態。',
    },
    always: [
      '実行のイベント履歴に、失敗したステップとその入力が記録されています。',
      'リアクターのテーブルにあるキーの台帳に、リアクターがこれまでに停止したものが記録されています。',
      '原因を解消したら、同じステートマシンの実行を、同じ入力と新しい名前で開始してください。どのステップも再実行して問題ありません。',
    ],
  },

  warnings: {
    noCommand: (todo) =>
      `登録されているキーの ARN またはリージョンの形式が正しくないため、ここではコマンドを記載していません。${todo}。`,
    oncePerThreshold: (days, before) =>
      `これは ${days} 日前の警告です。${before}、警告のしきい値ごとに 1 回ずつお送りします。`,
  },

  materialExpiring: {
    subject: (key, due, when, material) =>
      `${key}: ${material ?? 'インポートされた鍵マテリアル'}の有効期限まで${due} (${when})`,
    title: (key, when, material) =>
      `${key}: ${material ?? 'インポートされた鍵マテリアル'}は ${when} に有効期限が切れます`,
    material: (shortId) => `鍵マテリアル ${shortId} `,
    several: (keyMaterialId, current) =>
      `このキーには複数の鍵マテリアルがあり、有効期限が切れるのは ${keyMaterialId} です。` +
      (current
        ? 'これはキーの現在の鍵マテリアルで、暗号化と復号に使われています。'
        : 'これは以前の鍵マテリアルで、キーはそのマテリアルで暗号化されたデータの復号に現在も使用しています。' +
          'この鍵マテリアルの有効期限が切れた場合も、そのデータだけでなく、キー全体が使用できなくなります。') +
      'この同じ鍵マテリアルを再インポートしてください (AWS CLI では --key-material-id でその ID を指定します)。',
    paragraph: (keyArn, when, due) =>
      `お客様のキー ${keyArn} にインポートされた鍵マテリアルは、${when} (${due}) に有効期限が切れます。` +
      'キーにはまだ何も起きていません。それまでに同じ鍵マテリアルを再インポートすれば、その日以降も使用できます。',
    whatHappens: '有効期限が切れると',
    happens: [
      'KMS が期限切れの鍵マテリアルを削除し、キーは使用できなくなります。このキーを使用するリソースのデータを、' +
        'プラットフォームは復号できなくなります。',
      'KMS が「KMS Imported Key Material Expiration」イベントを発行し、リアクターが猶予期間の開始をメールでお知らせします。',
    ],
    noResources: 'このキーに登録されたリソースはないため、リアクターが停止するものはありません。',
    alertOnly: (n) =>
      `このキーのポリシーは通知のみのため、リアクターは以下の${n}を停止しません。リソースは稼働を続けますが、` +
      '同じ鍵マテリアルを再インポートするまで、そのデータは復号できません。',
    shutdown: (n) =>
      `猶予期間の終了時点でもキーが使用できない場合、リアクターは以下の${n}を、サービス、サーバーの順に停止します。` +
      'データは削除されず、キーが使用可能になれば自動的に再開します。',
    whatToDo: 'それまでに行うこと',
    reimport:
      '同じ鍵マテリアルを、より後の有効期限を付けて、または有効期限なしで再インポートしてください。データを復号できるのは' +
      `キーが持つ鍵マテリアルだけなので、新しい鍵マテリアルでは代わりになりません。${REIMPORT_STEPS}:`,
    keepExpiring:
      '有効期限を残す場合は、より後の日付でインポートしてください (ここでは現在の 1 年後です。日付はご自身でお選びください):',
    inConsole:
      'キーを所有するアカウントの KMS コンソールで、同じ鍵マテリアルを、より後の有効期限を付けて、または有効期限なしで再インポートしてください',
    before: '鍵マテリアルの有効期限が切れるまで',
  },

  deletionPending: {
    subject: (key, due, when) => `${key} の削除予定まで${due} (${when})`,
    title: (key, when) => `${key} は ${when} に削除されます`,
    paragraph: (keyArn, when, due) =>
      `お客様のキー ${keyArn} は削除が予約されています。KMS は ${when} (${due}) にこのキーを削除します。` +
      'KMS がキーを削除すると、このキーで暗号化されたデータは、誰にも二度と復号できなくなります。この操作は元に戻せません。',
    alertOnly:
      '削除が予約されたキーは使用できません。このキーのポリシーは通知のみのため、リアクターは以下のリソースを、' +
      'データにアクセスできないまま稼働させています。キーが削除されると、そのデータは二度と読めなくなります。',
    shutdown:
      '削除が予約されたキーは使用できないため、リアクターは以下のリソースを停止しました (または猶予期間の終了時に停止します)。' +
      'キーが存在するあいだは再開できますが、削除されると、データは存在しないキーで暗号化されたままになるため、復元できません。',
    howToKeep: 'キーを残す方法',
    cancelThenEnable: (when) =>
      `${when} より前に、削除を取り消してからキーを有効化してください (削除を取り消したキーは無効のままです):`,
    afterEnableAlertOnly: 'キーを有効化すると、リソースは再びデータを復号できるようになります。',
    afterEnable:
      'キーを有効化すると、リアクターは停止したリソースを自動的に開始し、再開したらメールでお知らせします。',
    inConsole: 'キーを所有するアカウントの KMS コンソールで、削除を取り消してからキーを有効化してください',
    before: 'キーが削除されるまで',
  },

  databaseUnrecoverable: {
    subject: (database, keyName, when) =>
      `キー ${keyName} のデータベース ${database}: キーを復旧しない場合、${when} に復旧できなくなります`,
    title: (database, when) => `データベース ${database} は ${when} に復旧できなくなります`,
    paragraph: (databaseArn, keyArn, when, due) =>
      `RDS データベース ${databaseArn} は、お客様のキー ${keyArn} を使用できません。RDS はこのデータベースを ` +
      'inaccessible-encryption-credentials-recoverable と報告しています。RDS が復旧可能な状態を保つのは 7 日間です。' +
      `${when} (${due}) より前にキーが再び使用可能にならない場合、RDS はこのデータベースを ` +
      'inaccessible-encryption-credentials とし、以後はバックアップからの復元でしか戻せなくなります。',
    database: 'データベース',
    kind: '種類',
    unrecoverableAt: '復旧できなくなる日時',
    day: '経過日数',
    dayOf: (day) => `7 日中 ${day} 日目`,
    whatToDo: 'それまでに行うこと',
    steps: [
      'キーを再び使用可能にしてください。キーが使用できなくなった原因に応じて、キーを有効化する、削除を取り消す、' +
        'または鍵マテリアルを再インポートしてください。',
      'キーが使用可能になると、リアクターはデータベースを自動的に開始し、再開したらメールでお知らせします。',
    ],
    keyStateNow: '現在のキーの状態:',
    inConsole: 'キーを所有するアカウントの KMS コンソールでキーの状態をご確認ください',
    daily:
      'この警告は、7 日間のうち 4 日目から、キーが再び使用可能になるか、データベースが復旧できなくなるまで、' +
      '1 日に 1 回お送りします。',
  },

  unprotectedFound: {
    subject: (n, keyName) =>
      `キー ${keyName} で暗号化された ${n} 件のリソースがリアクターで保護されていません`,
    title: (n) => `リアクターが停止しない ${n} 件のリソース`,
    paragraph: (keyArn) =>
      `これらのリソースはカスタマーキー ${keyArn} で暗号化されていますが、その ARN を値とするタグ ` +
      'key-reactor:key-arn がありません。キーが使用できなくなっても、リアクターはこれらを停止せず、' +
      'リソースはそのまま障害になります。',
    caption: 'スイープで見つかったリソース',
    columns: ['種類', 'ARN', '経由'],
    whatToDo: '保護するには、一覧を確認したうえで、キーのタグを付けてください:',
    adopt: 'または、各リソースに key-reactor:key-arn = キーの ARN と管理タグを付けてください。',
    once: '各リソースの通知は 1 回だけです。タグが付くまで key-reactor status と plan に表示されます。',
  },
  cannotStop: jaCannotStop,
  estimate: jaEstimate,
  digest: {
    risks: {
      'access-denied': 'アクセス拒否',
      'deletion-pending': '30 日以内に削除',
      'material-expiring': '30 日以内に鍵マテリアルの有効期限切れ',
      'cannot-stop': '停止できないリソース',
      'unprotected-dependents': 'キーで暗号化されているがタグのないリソース',
      'failed-runs': '過去 7 日間に失敗した実行',
    },
    subject: (keys) => `キーリアクター週次ダイジェスト: リスクのあるキー ${keys} 件`,
    title: (now) => `リスクのあるキー (${now} までの 1 週間)`,
    paragraph: (keys, since) =>
      `${keys} 件のキーについて、そのキーに依存するサービスが停止する前に対応が必要です。` +
      `実行は ${since} から数えています。このダイジェストは週に 1 回、リスクのあるキーがある場合にのみお送りします。`,
    byReason: 'リスクのあるキー (理由別)',
    byReasonColumns: ['理由', 'キー数'],
    eachKey: 'キーごとの詳細',
    atRisk: 'リスクのあるキー',
    atRiskColumns: ['キー', '理由', '詳細'],
    deletion: (at) => `KMS は ${at} にキーを削除します`,
    material: (at, keyMaterialId) =>
      `${keyMaterialId ? `鍵マテリアル ${keyMaterialId} ` : 'インポートされた鍵マテリアル'}の有効期限は ${at} です`,
    failedRun: (name, status, at) => `${name} は ${at} に ${status} となりました`,
    more: (total, shown, rest) => `${total} 件: ${shown} ほか ${rest} 件`,
    unread: (keys, list) =>
      `${keys} 件のキーは今週読み取れませんでした (KMS が応答しませんでした)。そのため、これらのキーに` +
      `リスクがあるかどうかは、このダイジェストではお伝えできません: ${list}。`,
    howToSee:
      'リアクターから見た 1 つのキーの状態を確認するには: key-reactor status <キーの ARN>。' +
      '日付が決まっている警告 (鍵マテリアル、削除、キーを待っている RDS データベース) は、各キーの管理者にもお送りしています。',
  },
};
