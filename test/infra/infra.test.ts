/**
 * The deployment as Azure would receive it: the ARM template the real Bicep compiler makes of
 * infra/main.bicep (scripts/bicep.js; `npm test` builds and lints it first). Without dotnet, which
 * restores the compiler from NuGet, these checks are skipped and the bicep step says so.
 */
import { existsSync, readFileSync } from "fs";
import { dirname, join, resolve } from "path";
import { parse as parseYaml } from "yaml";
import type { ArmTemplate } from "../../scripts/bicep";
import { PLATFORM_SETTING_NAMES, SETTING_NAMES } from "../../shared/config";
import {
  appSettings,
  compiledMain,
  compileMutated,
  missingRoles,
  missingSettings,
  moduleInput,
  moduleResource,
  roleAssignments,
  runtime,
  siteConfig,
} from "./arm";

const root = resolve(__dirname, "../..");
const read = (path: string) => readFileSync(join(root, path), "utf8");
const describeCompiled = compiledMain ? describe : describe.skip;
const template = compiledMain as ArmTemplate;

/** The app's own settings that the Bicep sets (the platform sets the others when the Bicep enables the feature). */
const ownSettings = SETTING_NAMES.filter((name) => !PLATFORM_SETTING_NAMES.includes(name));

/** Settings the Functions host and Durable read, besides the app's own (SETTING_NAMES). */
const hostSettings = [
  "AzureWebJobsStorage__accountName",
  "AzureWebJobsStorage__credential",
  "AzureWebJobsStorage__clientId",
  "TASKHUB_NAME",
  "FUNCTIONS_WORKER_RUNTIME",
  "APPLICATIONINSIGHTS_CONNECTION_STRING",
];

/** Built-in role ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles). */
const requiredRoles = {
  "Storage Blob Data Owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
  "Storage Queue Data Contributor": "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
  "Storage Table Data Contributor": "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
  "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
};
const identityPrincipal = "identity.outputs.principalId";

describeCompiled("infra/ sets every app setting the code reads", () => {
  it.each([...ownSettings, ...hostSettings])("sets %s", (name) => {
    expect(missingSettings(template, [name])).toEqual([]);
  });

  it("gives Flex Consumption the node 22 runtime in functionAppConfig (it refuses FUNCTIONS_WORKER_RUNTIME as a setting)", () => {
    expect(runtime(template)).toEqual({ name: "node", version: "22" });
    expect(appSettings(template)).not.toHaveProperty("FUNCTIONS_WORKER_RUNTIME");
    expect(moduleResource(template, "api", "Microsoft.Web/serverfarms").sku).toMatchObject({ tier: "FlexConsumption" });
  });

  it("reaches host storage with the user-assigned identity, never a key", () => {
    const settings = appSettings(template);
    expect(settings.AzureWebJobsStorage__credential).toBe("managedidentity");
    expect(settings.AzureWebJobsStorage__clientId).toBe("[parameters('identityClientId')]");
    expect(settings.AZURE_CLIENT_ID).toBe("[parameters('identityClientId')]");
    expect(settings).not.toHaveProperty("AzureWebJobsStorage");
    expect(moduleInput(template, "api", "identityClientId")).toBe("identity.outputs.clientId");
    expect(
      moduleResource(template, "storage", "Microsoft.Storage/storageAccounts").properties?.allowSharedKeyAccess,
    ).toBe(false);
  });

  it("takes the Peig API key from Key Vault and requires the signed-in approver", () => {
    const settings = appSettings(template);
    expect(settings.PEIG_API_KEY).toContain("@Microsoft.KeyVault(VaultName={0};SecretName={1})");
    expect(settings.REQUIRE_SIGNED_IN_APPROVER).toBe("true");
    expect(moduleResource(template, "api", "Microsoft.Web/sites").properties?.keyVaultReferenceIdentity).toBe(
      "[parameters('identityId')]",
    );
    expect(moduleResource(template, "keyvault", "Microsoft.KeyVault/vaults").properties?.enableRbacAuthorization).toBe(
      true,
    );
  });

  it("sends telemetry with Entra auth only", () => {
    expect(moduleResource(template, "monitoring", "Microsoft.Insights/components").properties?.DisableLocalAuth).toBe(
      true,
    );
    expect(appSettings(template)).toHaveProperty("APPLICATIONINSIGHTS_AUTHENTICATION_STRING");
  });

  it("requires Entra sign-in for /api/tasks/* and leaves the admin API to function keys", () => {
    const validation = siteConfig(template, "authsettingsV2")?.globalValidation as {
      requireAuthentication: boolean;
      unauthenticatedClientAction: string;
      excludedPaths: string[];
    };
    expect(validation.requireAuthentication).toBe(true);
    expect(validation.unauthenticatedClientAction).toBe("RedirectToLoginPage");
    expect(validation.excludedPaths).toContain("/api/migrations/*");
    expect(validation.excludedPaths.filter((path) => /^\/api\/(tasks|\*)/.test(path))).toEqual([]);
  });
});

describeCompiled("infra/ assigns the identity every role the code needs", () => {
  it.each(Object.keys(requiredRoles))("assigns %s to the identity", (role) => {
    expect(
      missingRoles(template, { [role]: requiredRoles[role as keyof typeof requiredRoles] }, identityPrincipal),
    ).toEqual([]);
  });

  it("scopes the storage roles to the storage account and the secrets role to the vault", () => {
    const scopes = new Map(roleAssignments(template).map((a) => [a.roleDefinitionId, a.scopeType]));
    expect(scopes.get(requiredRoles["Storage Blob Data Owner"])).toBe("Microsoft.Storage/storageAccounts");
    expect(scopes.get(requiredRoles["Storage Queue Data Contributor"])).toBe("Microsoft.Storage/storageAccounts");
    expect(scopes.get(requiredRoles["Storage Table Data Contributor"])).toBe("Microsoft.Storage/storageAccounts");
    expect(scopes.get(requiredRoles["Key Vault Secrets User"])).toBe("Microsoft.KeyVault/vaults");
  });

  it("feeds the role module and the Function App the same user-assigned identity", () => {
    expect(moduleResource(template, "identity", "Microsoft.ManagedIdentity/userAssignedIdentities")).toBeDefined();
    expect(moduleInput(template, "rbac", "identityPrincipalId")).toBe(identityPrincipal);
    expect(moduleInput(template, "api", "identityId")).toBe("identity.outputs.id");
    expect(moduleInput(template, "api", "identityClientId")).toBe("identity.outputs.clientId");
  });
});

describeCompiled("infra/main.parameters.json", () => {
  it("gives every required parameter of main.bicep a value, and nothing else", () => {
    const given = Object.keys(
      (JSON.parse(read("infra/main.parameters.json")) as { parameters: Record<string, unknown> }).parameters,
    );
    const declared = template.parameters ?? {};
    expect(given.filter((name) => !(name in declared))).toEqual([]);
    expect(
      Object.entries(declared)
        .filter(([name, p]) => p.defaultValue === undefined && !given.includes(name))
        .map(([name]) => name),
    ).toEqual([]);
  });
});

describe("azure.yaml and the Functions project", () => {
  const azure = parseYaml(read("azure.yaml")) as {
    services: Record<string, { project: string; language: string; host: string }>;
    infra?: { path?: string };
  };

  (compiledMain ? it : it.skip)(
    "points azd at the function service, whose Function App carries the matching azd-service-name tag",
    () => {
      const [[name, service]] = Object.entries(azure.services);
      expect(service.host).toBe("function");
      expect(["ts", "js"]).toContain(service.language);
      expect(azure.infra?.path ?? "infra").toBe("infra");
      expect(moduleResource(template, "api", "Microsoft.Web/sites").tags).toContain(
        "createObject('azd-service-name', parameters('serviceName'))",
      );
      expect(moduleInput(template, "api", "serviceName")).toBe(name);
    },
  );

  it("deploys a folder with host.json (extension bundle 4.30 or later, hub from TASKHUB_NAME) and a built entry point", () => {
    const project = resolve(root, Object.values(azure.services)[0].project);
    const host = JSON.parse(readFileSync(join(project, "host.json"), "utf8")) as {
      version: string;
      extensionBundle: { id: string; version: string };
      extensions: { durableTask: { hubName: string } };
    };
    expect(host.version).toBe("2.0");
    expect(host.extensionBundle).toEqual({
      id: "Microsoft.Azure.Functions.ExtensionBundle",
      version: "[4.30.0, 5.0.0)",
    });
    expect(host.extensions.durableTask.hubName).toBe("%TASKHUB_NAME%");
    const pkg = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as {
      main: string;
      scripts: Record<string, string>;
    };
    expect(pkg.main).toBe("dist/functions/index.js");
    expect(pkg.scripts.build).toBeDefined();
    expect(existsSync(join(project, dirname(pkg.main).replace(/^dist\//, ""), "index.ts"))).toBe(true);
  });
});

describeCompiled("the checks fail on a compiled copy of infra/ with a setting and a role removed", () => {
  // One mutated copy, compiled once by the real compiler: each check must name exactly what was removed.
  let mutant: ArmTemplate;
  beforeAll(() => {
    mutant = compileMutated({
      "app/api.bicep": (text) => text.replace(/\n\s*MAIL_SENDER: mailSender/, ""),
      "app/rbac.bicep": (text) => text.replace(/\nresource secretsRole [\s\S]*?\n}\n/, "\n"),
    });
  }, 180_000);

  it("reports the app setting the config reads that the template no longer sets", () => {
    expect(missingSettings(template, ownSettings)).toEqual([]);
    expect(missingSettings(mutant, ownSettings)).toEqual(["MAIL_SENDER"]);
  });

  it("reports the role assignment that is gone", () => {
    expect(missingRoles(template, requiredRoles, identityPrincipal)).toEqual([]);
    expect(missingRoles(mutant, requiredRoles, identityPrincipal)).toEqual(["Key Vault Secrets User"]);
  });

  it("does not count a role assigned to another principal", () => {
    expect(missingRoles(template, requiredRoles, "identity.outputs.clientId")).toEqual(Object.keys(requiredRoles));
  });
});
