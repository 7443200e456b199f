/**
 * Typed store errors, the same for every adapter, so callers branch on the class instead of an
 * HTTP status from one particular backend.
 */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotFoundError";
  }
}

/** The record already exists (an insert lost to an earlier one). */
export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConflictError";
  }
}

/** A conditional write was refused: the record changed since the caller read it (ETag mismatch). */
export class PreconditionFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PreconditionFailedError";
  }
}
