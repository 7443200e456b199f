/**
 * Turns ids we do not control (workspace names, user ids, migration ids) into valid, injective table
 * keys. Plain ids pass through unchanged (readable in Storage Explorer); anything else becomes "~" +
 * base64url, and "~" never occurs in a plain key, so two different ids never share a key. The ids
 * themselves are also stored as properties, so keys are never decoded.
 */
import { MAX_KEY_CHARS } from "./tableLimits";

const PLAIN_KEY = /^[A-Za-z0-9._@-]+$/;

export function encodeKey(id: string): string {
  if (id.length === 0) throw new Error("an id used as a table key must not be empty");
  const key = PLAIN_KEY.test(id) ? id : `~${Buffer.from(id, "utf8").toString("base64url")}`;
  if (key.length > MAX_KEY_CHARS) throw new Error(`id is too long to use as a table key (${id.length} characters)`);
  return key;
}
