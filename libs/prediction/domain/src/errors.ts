import { DomainError } from '@clonecast/contracts';

/** The shared base of domain errors (its `code` travels in clone.failed), re-exported for this library's callers. */
export { DomainError };

/** The usage history cannot be read: bad header, bad value, bad or out-of-order timestamp. */
export class InvalidHistoryError extends DomainError {
  readonly code = 'INVALID_HISTORY';

  /** `line` is the 1-based CSV line, or undefined when the history did not come from CSV. */
  constructor(
    readonly reason: string,
    readonly line?: number,
  ) {
    super(line === undefined ? reason : `line ${line}: ${reason}`);
  }
}

/** There is nothing to forecast from. */
export class NoHistoryError extends DomainError {
  readonly code = 'NO_HISTORY';
}

/** Forecast options out of range. */
export class InvalidForecastOptionsError extends DomainError {
  readonly code = 'INVALID_FORECAST_OPTIONS';
}

/** A quantile was asked of an empty sample or for a probability outside [0, 1]. */
export class InvalidQuantileError extends DomainError {
  readonly code = 'INVALID_QUANTILE';
}

/** Feature input that breaks the feature contract (origin not on a whole hour, unreadable event instant). */
export class InvalidFeatureInputError extends DomainError {
  readonly code = 'INVALID_FEATURE_INPUT';
}

/** A model manifest that is unreadable or disagrees with the feature contract this code implements. */
export class InvalidModelManifestError extends DomainError {
  readonly code = 'INVALID_MODEL_MANIFEST';
}

/** The model's output does not have the shape the manifest declares. */
export class InvalidModelOutputError extends DomainError {
  readonly code = 'INVALID_MODEL_OUTPUT';
}
