/**
 * Tokens for human-task links and their CSRF companions. A token is ≥128 random bits and is stored
 * only as its SHA-256 hash (docs/design.md#human-tasks), so a leaked table never yields a usable link.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** 32 random bytes (256 bits): comfortably above the 128-bit floor, still a short URL segment. */
const TOKEN_BYTES = 32;

export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString("base64url");
}

/** Separate from task tokens so a form token can never be used as a link token or vice versa. */
export function newCsrfToken(): string {
  return randomBytes(TOKEN_BYTES).toString("base64url");
}

/** SHA-256, lowercase hex (64 characters): what the store keys human tasks by. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/**
 * Constant-time comparison. Both sides are hashed first so that inputs of different lengths are
 * compared in constant time too (timingSafeEqual needs equal lengths).
 */
export function tokensEqual(a: string, b: string): boolean {
  const left = createHash("sha256").update(a, "utf8").digest();
  const right = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(left, right);
}
