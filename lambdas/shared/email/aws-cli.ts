/**
 * The AWS CLI command lines the emails give. They are meant to be pasted into a shell, so they are built
 * only from a key ARN and a Region that match their patterns, never from any other text of an event.
 */

import { isKeyArn } from '../arn';
import { PATTERNS } from '../contract';

export const NO_EXPIRATION = '--expiration-model KEY_MATERIAL_DOES_NOT_EXPIRE';

/** The `--key-id <arn> --region <region>` of a command, or null when either is not well formed. */
export function commandTarget(keyArn: string, region: string): string | null {
  return isKeyArn(keyArn) && PATTERNS.region.test(region) ? `--key-id ${keyArn} --region ${region}` : null;
}

export function describeCommand(target: string): string {
  return `aws kms describe-key ${target}`;
}

/** The key policy as it stands, to put back the statement that let the platform use the key. */
export function keyPolicyCommand(target: string): string {
  return `aws kms get-key-policy ${target} --policy-name default --output text`;
}

export function enableCommand(target: string): string {
  return `aws kms enable-key ${target}`;
}

/** A key whose deletion is cancelled stays disabled: enabling it is the second step, not optional. */
export function cancelDeletionCommands(target: string): string[] {
  return [`aws kms cancel-key-deletion ${target}`, enableCommand(target)];
}

/** `expiration`: the --expiration-model option, and --valid-to with it when the material expires. */
export function reimportCommands(target: string, expiration: string): string[] {
  return [
    `aws kms get-parameters-for-import ${target} --wrapping-algorithm RSAES_OAEP_SHA_256 --wrapping-key-spec RSA_4096`,
    importCommand(target, expiration),
  ];
}

export function importCommand(target: string, expiration: string): string {
  return (
    `aws kms import-key-material ${target} --encrypted-key-material fileb://EncryptedKeyMaterial.bin ` +
    `--import-token fileb://ImportToken.bin ${expiration}`
  );
}

/** The expiration options for key material valid until `validTo`. */
export function expiresAt(validTo: Date): string {
  return `--expiration-model KEY_MATERIAL_EXPIRES --valid-to ${isoSeconds(validTo)}`;
}

/** `2027-12-01T14:00:00Z`, as the AWS CLI takes a timestamp. */
function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
