/**
 * Graph service limits the app paces itself under, each in one place: the adapters keep under them and the
 * simulator enforces them, so both read the same figure.
 */

/** At most `requests` in any rolling `windowMs`. */
export interface RollingLimit {
  requests: number;
  windowMs: number;
}

/**
 * Reads of the sign-in log (`auditLogs/signIns`): five requests per 10 seconds per app per tenant
 * ("Identity and access reports service limits", https://learn.microsoft.com/en-us/graph/throttling-limits).
 */
export const signInLogReadLimit: RollingLimit = Object.freeze({ requests: 5, windowMs: 10_000 });
