import { spawnSync } from "child_process";
import { readFileSync } from "fs";
import { join, resolve } from "path";

const root = resolve(__dirname, "../..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};

describe("the project runs on Node 22", () => {
  it("pins an exact Node 22 as the node devDependency and declares engines >=22", () => {
    expect(pkg.devDependencies.node).toMatch(/^22\.\d+\.\d+$/);
    expect(pkg.engines.node).toBe(">=22");
    expect(pkg.devDependencies["@types/node"]).toMatch(/^22\./);
  });

  it("runs this jest worker on the pinned Node", () => {
    expect(process.version).toBe(`v${pkg.devDependencies.node}`);
  });

  it("runs children started with process.execPath (Azurite, the simulators, the demo) on the pinned Node", () => {
    const child = spawnSync(process.execPath, ["-p", "process.version"], { encoding: "utf8" });
    expect(child.stdout.trim()).toBe(`v${pkg.devDependencies.node}`);
  });
});
