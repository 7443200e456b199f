import { createHmac } from "node:crypto";
import type { Services } from "../../shared/services";
import { newTaskLink } from "../../shared/taskLinks";
import { hashToken, isCsrfTokenFor, newCsrfToken, newToken, tokensEqual } from "../../shared/tokens";

describe("tokens", () => {
  it("makes URL-safe tokens of at least 128 random bits, never repeating", () => {
    const tokens = Array.from({ length: 1000 }, newToken);
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(token, "base64url").length * 8).toBeGreaterThanOrEqual(128);
    }
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it("makes CSRF tokens of the same strength, distinct from each other, that check out only for their own task", () => {
    const task = newToken();
    const a = newCsrfToken(task);
    expect(Buffer.from(a.split(".")[0], "base64url").length * 8).toBeGreaterThanOrEqual(128);
    expect(newCsrfToken(task)).not.toBe(a);
    expect(isCsrfTokenFor(a, task)).toBe(true);
    expect(isCsrfTokenFor(a, newToken())).toBe(false);
    expect(isCsrfTokenFor(`${a.split(".")[0]}.${newCsrfToken(task).split(".")[1]}`, task)).toBe(false);
    for (const bad of ["", ".", a.split(".")[0], `${a}.x`, `.${a.split(".")[1]}`])
      expect(isCsrfTokenFor(bad, task)).toBe(false);
  });

  it("refuses a CSRF token with an empty nonce, even one whose MAC is right for it", () => {
    const task = newToken();
    const emptyNonceMac = createHmac("sha256", task).update("csrf:", "utf8").digest("base64url");
    expect(isCsrfTokenFor(`.${emptyNonceMac}`, task)).toBe(false);
    // The same MAC over a real nonce checks out: only the empty nonce is refused.
    const nonceMac = createHmac("sha256", task).update("csrf:n", "utf8").digest("base64url");
    expect(isCsrfTokenFor(`n.${nonceMac}`, task)).toBe(true);
  });

  it("gives a new task link its token, the token's hash for the store, and the page URL under the public base URL", () => {
    for (const base of ["https://migrate.contoso.com", "https://migrate.contoso.com/"]) {
      const { token, hash, link } = newTaskLink({ settings: { PUBLIC_BASE_URL: base } } as Services);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(hash).toBe(hashToken(token));
      expect(link).toBe(`https://migrate.contoso.com/api/tasks/${token}`);
    }
  });

  it("hashes with SHA-256 as lowercase hex", () => {
    // FIPS 180-2 test vector for "abc".
    expect(hashToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("compares tokens exactly, including ones of different lengths", () => {
    const token = newToken();
    expect(tokensEqual(token, `${token}`)).toBe(true);
    expect(tokensEqual(token, newToken())).toBe(false);
    expect(tokensEqual(token, token.slice(0, -1))).toBe(false);
    expect(tokensEqual("", "")).toBe(true);
  });
});
