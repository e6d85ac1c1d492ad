import { DomainError, type Cloud } from '@clonecast/contracts';

/** Base of every price-refresh failure; `code` is stable for callers and reports. */
export abstract class PriceRefreshError extends DomainError {}

/** No credentials in the SDK's standard chain: a setup problem for the user, not a provider failure. */
export class MissingCredentialsError extends PriceRefreshError {
  readonly code = 'MISSING_CREDENTIALS';

  constructor(
    readonly cloud: Cloud,
    readonly hint: string,
  ) {
    super(`no ${cloud} credentials: ${hint}`);
  }
}

/** The pricing API could not be reached or answered with an error status. */
export class PriceSourceUnavailableError extends PriceRefreshError {
  readonly code = 'SOURCE_UNAVAILABLE';

  constructor(
    readonly cloud: Cloud,
    readonly api: string,
    reason: string,
  ) {
    super(`${cloud} ${api} failed: ${reason}`);
  }
}

/** The pricing API answered with a document this parser does not understand. */
export class UnexpectedPriceResponseError extends PriceRefreshError {
  readonly code = 'UNEXPECTED_RESPONSE';

  constructor(
    readonly cloud: Cloud,
    readonly api: string,
    reason: string,
  ) {
    super(`${cloud} ${api} returned an unexpected response: ${reason}`);
  }
}

/** A region name no cloud uses, or one that belongs to no cloud being refreshed. */
export class UnknownRegionError extends PriceRefreshError {
  readonly code = 'UNKNOWN_REGION';

  constructor(readonly region: string) {
    super(`region "${region}" is not an AWS, Azure or GCP region name`);
  }
}
