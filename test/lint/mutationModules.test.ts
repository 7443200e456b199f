import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { MODULES, resolveModules, resolveMutate } from "../../scripts/mutationModules";

const root = path.resolve(__dirname, "../..");

describe("npm run mutation's modules", () => {
  it("name guards that still exist: every entry resolves to one declaration (or statement) or a whole file", () => {
    const ranges = resolveModules(MODULES, root);
    for (const m of MODULES) expect(ranges.get(m.name)).toHaveLength(m.mutate.length);
  });

  it("run test files that exist", () => {
    const missing = MODULES.flatMap((m) => m.tests).filter((t) => !fs.existsSync(path.join(root, t)));
    expect(missing).toEqual([]);
  });

  describe("anchors", () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "mutation-anchors-"));
      fs.writeFileSync(
        path.join(dir, "guard.ts"),
        [
          "// a line above that an edit may add or remove",
          "export function decide(x: number): boolean {",
          "  const y = x + 1;",
          "  if (y > 2) {",
          "    return true;",
          "  }",
          "  return false;",
          "}",
          "class Gate {",
          "  constructor(readonly open: boolean) {}",
          "  close(): void {}",
          "}",
          "export const escape = (s: string): string => s;",
          "function twice(): void {}",
          "function twice2(): void { const twice = 1; void twice; }",
        ].join("\n"),
      );
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("resolve a declaration to its lines, whatever comes before it", () => {
      expect(resolveMutate("guard.ts#decide", dir)).toBe("guard.ts:2-8");
      expect(resolveMutate("guard.ts#Gate.constructor", dir)).toBe("guard.ts:10-10");
      expect(resolveMutate("guard.ts#close", dir)).toBe("guard.ts:11-11");
      expect(resolveMutate("guard.ts#escape", dir)).toBe("guard.ts:13-13");
      expect(resolveMutate("guard.ts", dir)).toBe("guard.ts");
    });

    it("resolve a statement inside a declaration by how it begins", () => {
      expect(resolveMutate("guard.ts#decide@if (y > 2)", dir)).toBe("guard.ts:4-6");
    });

    it("fail loudly, naming the entry, when a file, name or statement no longer matches one thing", () => {
      expect(() => resolveMutate("gone.ts#decide", dir)).toThrow("gone.ts#decide: no file gone.ts");
      expect(() => resolveMutate("guard.ts#decideTask", dir)).toThrow("0 declarations named decideTask");
      expect(() => resolveMutate("guard.ts#twice", dir)).toThrow("2 declarations named twice");
      expect(() => resolveMutate("guard.ts#decide@while", dir)).toThrow('0 statements in decide begin with "while"');
      expect(() => resolveMutate("guard.ts#decide@return", dir)).toThrow("2 statements in decide begin with");
    });
  });
});
