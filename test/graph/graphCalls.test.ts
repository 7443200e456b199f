/** docs/graph-calls.md lists every Graph request the adapters make, and names exactly the permissions grant-permissions grants. */
import { readFileSync } from "fs";
import { join, resolve } from "path";
import { featurePermissions } from "../../shared/graph/permissions";

const root = resolve(__dirname, "../..");
const read = (path: string) => readFileSync(join(root, path), "utf8");
const callsDoc = read("docs/graph-calls.md");

/** Table rows of the doc: `| \`kind\` | method and path | permission | page | simulator |`, with their section. */
function rows(markdown: string): { section: string; kind: string; permissions: string[] }[] {
  let section = "";
  const found: { section: string; kind: string; permissions: string[] }[] = [];
  for (const line of markdown.split("\n")) {
    if (line.startsWith("## ")) section = line.slice(3).trim();
    const cells = line.split("|").map((c) => c.trim());
    const kind = /^`(\w+)`$/.exec(cells[1] ?? "")?.[1];
    if (kind)
      found.push({
        section,
        kind,
        permissions: [...(cells[3] ?? "").matchAll(/`([A-Za-z]+(?:\.[A-Za-z]+)+)`/g)].map((m) => m[1]),
      });
  }
  return found;
}

/** Request kinds the adapters count: the first argument of each GraphCaller request. */
function kindsInCode(...files: string[]): string[] {
  const pattern = /\b(?:call|once|listAll|deleteIfPresent|getOrNull)(?:<[^>]*>)?\(\s*"(\w+)"/g;
  return [...new Set(files.flatMap((file) => [...read(file).matchAll(pattern)].map((m) => m[1])))];
}

describe("docs/graph-calls.md", () => {
  const documented = rows(callsDoc);
  const appRows = documented.filter((r) => !r.section.startsWith("grant-permissions"));

  it("parses into rows, so the checks below look at something", () => {
    expect(appRows.length).toBeGreaterThan(10);
    expect(kindsInCode("shared/entra/graphEntra.ts").length).toBeGreaterThan(10);
  });

  it("lists every request kind the Entra and mail adapters and grant-permissions send", () => {
    const listed = new Set(documented.map((r) => r.kind));
    const missing = kindsInCode(
      "shared/entra/graphEntra.ts",
      "shared/mail/graphMail.ts",
      "scripts/grantPermissions/grant.ts",
    ).filter((kind) => !listed.has(kind));
    expect(missing).toEqual([]);
  });

  it("names, for every request kind sent, the test files that cover it, and those files exist", () => {
    const covered = new Map<string, string[]>();
    for (const line of callsDoc.slice(callsDoc.indexOf("## Tests per call")).split("\n")) {
      const cells = line.split("|").map((c) => c.trim());
      const kind = /^`(\w+)`$/.exec(cells[1] ?? "")?.[1];
      if (kind)
        covered.set(
          kind,
          [...(cells[2] ?? "").matchAll(/`(test\/[^`]+\.test\.ts)`/g)].map((m) => m[1]),
        );
    }
    const sent = kindsInCode(
      "shared/entra/graphEntra.ts",
      "shared/mail/graphMail.ts",
      "scripts/grantPermissions/grant.ts",
    );
    expect(sent.filter((kind) => (covered.get(kind) ?? []).length === 0)).toEqual([]);
    const missingFiles = [...covered.values()].flat().filter((file) => {
      try {
        read(file);
        return false;
      } catch {
        return true;
      }
    });
    expect(missingFiles).toEqual([]);
  });

  it("names exactly the permissions npm run grant-permissions grants, one list for both", () => {
    const named = new Set(appRows.flatMap((r) => r.permissions));
    expect([...named].sort()).toEqual([...new Set(featurePermissions.map((p) => p.permission))].sort());
  });

  it("agrees with docs/permissions.md on each call's permission", () => {
    const permissionsDoc = read("docs/permissions.md");
    for (const { feature, permission } of featurePermissions) {
      expect(appRows.some((r) => r.permissions.includes(permission))).toBe(true);
      expect(permissionsDoc).toMatch(
        new RegExp(`\\|\\s*\`${feature}\`\\s*\\|\\s*\`${permission.replace(/\./g, "\\.")}\``),
      );
    }
  });

  it("keeps a Mail section for the mail adapter's calls", () => {
    expect(documented.filter((r) => r.section === "Mail").map((r) => r.kind)).toEqual(
      expect.arrayContaining(["createMessage", "sendMessage", "findSent", "listInbox"]),
    );
  });
});
