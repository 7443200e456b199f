/**
 * Typed store errors, the same for every adapter, so callers branch on the class instead of an
 * HTTP status from one particular backend.
 */
export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
}

/** The record already exists (an insert lost to an earlier one). */
export class ConflictError extends Error {
  override readonly name = "ConflictError";
}

/** A page cursor this store did not hand out (for this list): the caller should start again without one. */
export class InvalidCursorError extends Error {
  override readonly name = "InvalidCursorError";
}

/** A conditional write was refused: the record changed since the caller read it (ETag mismatch). */
export class PreconditionFailedError extends Error {
  override readonly name = "PreconditionFailedError";
}
