/**
 * Send keys: the same logical message (migration, purpose, recipients) always gets the same key, so a retried
 * request or a redelivered activity finds it in Sent Items instead of sending it again.
 */
import { createHash } from "crypto";

export function sendKey(migrationId: string, purpose: string, ...parts: readonly unknown[]): string {
  const digest = createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 32);
  return `${migrationId}/${purpose}/${digest}`;
}
