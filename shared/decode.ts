/** Decoding what the store keeps: a row that does not fit fails where it is read, naming the field. */
import type { z } from "zod";

/** `value` as `schema` reads it; otherwise throws "<what>.<first field that does not fit> is invalid: <why>". */
export function decodeOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Error(`${what}.${issue.path.join(".")} is invalid: ${issue.message}`);
}
