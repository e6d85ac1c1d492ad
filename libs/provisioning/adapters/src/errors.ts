import { ProvisioningError } from '@clonecast/provisioning/domain';

/** The content does not hash to the address it is being stored under. */
export class ArtifactIntegrityError extends ProvisioningError {
  readonly code = 'ARTIFACT_INTEGRITY';

  constructor(readonly expectedSha256: string, readonly actualSha256: string) {
    super(`artifact content hashes to ${actualSha256}, not to its address ${expectedSha256}`);
  }
}
