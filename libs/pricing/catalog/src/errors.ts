import { DomainError } from '@clonecast/contracts';

/** Base of every price-catalog failure; `code` is stable for callers and events. */
export abstract class PriceCatalogError extends DomainError {}

export class InvalidCatalogError extends PriceCatalogError {
  readonly code = 'INVALID_CATALOG';

  constructor(readonly issues: string) {
    super(`the price catalog does not match its schema:\n${issues}`);
  }
}

export class UndatedCatalogError extends PriceCatalogError {
  readonly code = 'UNDATED_CATALOG';

  constructor(readonly catalogVersion: string) {
    super(`price catalog ${catalogVersion} has no row with a known snapshot date, so its age is unknown`);
  }
}

export class CatalogStoreError extends PriceCatalogError {
  readonly code = 'CATALOG_STORE';

  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`price catalog file ${file}: ${reason}`);
  }
}
