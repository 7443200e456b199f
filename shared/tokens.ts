/**
 * Tokens for human-task links and their CSRF companions. A token is ≥128 random bits and is stored
 * only as its SHA-256 hash (docs/design.md#human-tasks), so a leaked table never yields a usable link.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** 32 random bytes (256 bits): comfortably above the 128-bit floor, still a short URL segment. */
const TOKEN_BYTES = 32;

export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString("base64url");
}

/**
 * A CSRF token bound to one task link: a fresh nonce and its HMAC keyed by the link's token. It checks out
 * only for that task (so one task page's token cannot decide another), and needs no stored secret: whoever
 * can compute it already holds the link. The "." keeps it from ever passing as a link token.
 */
export function newCsrfToken(taskToken: string): string {
  const nonce = randomBytes(TOKEN_BYTES).toString("base64url");
  return `${nonce}.${csrfMac(taskToken, nonce)}`;
}

/** Whether `csrf` was made by newCsrfToken for this task token. */
export function isCsrfTokenFor(csrf: string, taskToken: string): boolean {
  const parts = csrf.split(".");
  return parts.length === 2 && parts[0].length > 0 && tokensEqual(parts[1], csrfMac(taskToken, parts[0]));
}

function csrfMac(taskToken: string, nonce: string): string {
  return createHmac("sha256", taskToken).update(`csrf:${nonce}`).digest("base64url");
}

/** SHA-256, lowercase hex (64 characters): what the store keys human tasks by. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * Constant-time comparison. Both sides are hashed first so that inputs of different lengths are
 * compared in constant time too (timingSafeEqual needs equal lengths).
 */
export function tokensEqual(a: string, b: string): boolean {
  const left = createHash("sha256").update(a).digest();
  const right = createHash("sha256").update(b).digest();
  return timingSafeEqual(left, right);
}
