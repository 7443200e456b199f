/** The OpenAPI file, the shared route table and the simulator describe the same contract. */
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { peigApiPathPrefix } from "../../shared/peig/contract";
import { peigErrorCodes, peigUserStatuses } from "../../shared/peig/port";
import { peigSimulatorRoutes } from "../../local/peig-simulator";
import { startRig } from "./helpers";

interface OpenApiDocument {
  openapi: string;
  servers: { url: string }[];
  paths: Record<string, Record<string, { operationId?: string }>>;
  components: {
    schemas: Record<
      string,
      { properties?: Record<string, { properties?: Record<string, { enum?: string[] }> }>; enum?: string[] }
    >;
  };
}

const httpMethods = new Set(["get", "put", "post", "delete", "patch", "head", "options"]);
const spec = parse(
  fs.readFileSync(path.join(__dirname, "../../docs/peig-admin-api.openapi.yaml"), "utf8"),
) as OpenApiDocument;

function operationsInSpec(): string[] {
  return Object.entries(spec.paths).flatMap(([template, item]) =>
    Object.entries(item)
      .filter(([method]) => httpMethods.has(method))
      .map(([method, operation]) => `${method.toUpperCase()} ${template} ${operation.operationId}`),
  );
}

describe("Peig admin API OpenAPI document", () => {
  it("is OpenAPI 3.1 with the base path the client and simulator use", () => {
    expect(spec.openapi).toBe("3.1.0");
    expect(spec.servers.map((s) => new URL(s.url.replace("{server}", "example.com")).pathname)).toEqual([
      peigApiPathPrefix,
    ]);
  });

  it("lists exactly the (method, path, operationId) the simulator serves, both ways", () => {
    const served = peigSimulatorRoutes.map((r) => `${r.method} ${r.path} ${r.operationId}`).sort();
    expect(operationsInSpec().sort()).toEqual(served);
  });

  it("has every route of the table answered by the simulator's server (no notFound, no methodNotAllowed)", async () => {
    const { simulator } = await startRig({ tenantSize: 5 });
    try {
      for (const route of peigSimulatorRoutes) {
        const url = simulator.baseUrl + route.path.replace(/\{\w+\}/g, "x");
        const response = await fetch(url, {
          method: route.method,
          headers: { Authorization: `Bearer ${simulator.apiKey}` },
        });
        const body = response.status === 204 ? null : ((await response.json()) as { error?: { code: string } });
        expect([route.operationId, body?.error?.code]).not.toEqual([route.operationId, "notFound"]);
        expect([route.operationId, response.status]).not.toEqual([route.operationId, 405]);
      }
    } finally {
      await simulator.stop();
    }
  });

  it("documents the same error codes and user statuses as the port", () => {
    expect(spec.components.schemas.Error.properties?.error.properties?.code.enum?.slice().sort()).toEqual(
      [...peigErrorCodes].sort(),
    );
    expect(spec.components.schemas.UserStatus.enum).toEqual([...peigUserStatuses]);
  });

  it("has no dangling $ref", () => {
    const refs = [...JSON.stringify(spec).matchAll(/"\$ref":"#\/([^"]+)"/g)].map((m) => m[1]);
    const resolve = (pointer: string): unknown =>
      pointer
        .split("/")
        .reduce<unknown>(
          (node, key) => (node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined),
          spec,
        );
    expect(refs.filter((ref) => resolve(ref) === undefined)).toEqual([]);
  });
});
