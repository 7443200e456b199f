/** The page helpers every renderer builds on: any value as text, names isolated, several parts isolated apart. */
import { escapeHtml, isolatedParts, nameHtml } from "../../shared/pages/layout";

describe("page helpers", () => {
  it("show null and undefined as nothing, and any other value as its escaped text", () => {
    expect(escapeHtml(undefined)).toBe("");
    expect(escapeHtml(null)).toBe("");
    expect(escapeHtml(0)).toBe("0");
    expect(escapeHtml(`<b a="1">&'`)).toBe("&lt;b a=&quot;1&quot;&gt;&amp;&#39;");
  });

  it("put a name in <bdi>, escaped, and an absent one as an empty <bdi>", () => {
    expect(nameHtml("Ada <ada@contoso.com>")).toBe("<bdi>Ada &lt;ada@contoso.com&gt;</bdi>");
    expect(nameHtml(undefined)).toBe("<bdi></bdi>");
    expect(nameHtml(null)).toBe("<bdi></bdi>");
  });

  it("isolate each part of a cell on its own, joined by a space, an absent part as an empty isolate", () => {
    expect(isolatedParts("Ada", "<ada@contoso.com>", undefined)).toBe(
      "\u2068Ada\u2069 \u2068<ada@contoso.com>\u2069 \u2068\u2069",
    );
    expect(isolatedParts(null)).toBe("\u2068\u2069");
  });
});
