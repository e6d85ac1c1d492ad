import type { Cloud } from '@clonecast/contracts';
import { ProvisioningError } from '@clonecast/provisioning/domain';

/** The content does not hash to the address it is being stored under. */
export class ArtifactIntegrityError extends ProvisioningError {
  readonly code = 'ARTIFACT_INTEGRITY';

  constructor(readonly expectedSha256: string, readonly actualSha256: string) {
    super(`artifact content hashes to ${actualSha256}, not to its address ${expectedSha256}`);
  }
}

/** A group on a zonal cloud (gcp, aws) came without a zone: its plan was not built by toInfrastructurePlan. */
export class MissingZoneError extends ProvisioningError {
  readonly code = 'MISSING_ZONE';

  constructor(readonly groupName: string, readonly cloud: Cloud) {
    super(`instance group "${groupName}" on ${cloud} has no zone to place it in`);
  }
}
