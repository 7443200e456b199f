import { existsSync, readFileSync } from "fs";
import { dirname, join, resolve } from "path";
import { parse as parseYaml } from "yaml";
import { PLATFORM_SETTING_NAMES, SETTING_NAMES } from "../../shared/config";
import {
  appSettingNames,
  childObject,
  missingRoles,
  missingSettings,
  modules,
  outputs,
  params,
  propertyValue,
  resources,
  roleAssignments,
  workerRuntime,
} from "./bicep";

const root = resolve(__dirname, "../..");
const read = (path: string) => readFileSync(join(root, path), "utf8");
const mainBicep = read("infra/main.bicep");
const apiBicep = read("infra/app/api.bicep");
const rbacBicep = read("infra/app/rbac.bicep");

/** The app's own settings that the Bicep sets (the platform sets the others when the Bicep enables the feature). */
const appSettings = SETTING_NAMES.filter((name) => !PLATFORM_SETTING_NAMES.includes(name));

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

function resource(source: string, type: string) {
  const found = resources(source).filter((r) => r.type === type && !r.existing);
  expect(found).toHaveLength(1);
  return found[0];
}

describe("infra/ sets every app setting the code reads", () => {
  it.each([...appSettings, ...hostSettings])("sets %s", (name) => {
    expect(missingSettings(apiBicep, [name])).toEqual([]);
  });

  it("gives Flex Consumption the node 20 runtime in functionAppConfig (it refuses FUNCTIONS_WORKER_RUNTIME as a setting)", () => {
    const site = resource(apiBicep, "Microsoft.Web/sites");
    const runtime = childObject(childObject(childObject(site.body, "properties") ?? "", "functionAppConfig") ?? "", "runtime") ?? "";
    expect(propertyValue(runtime, "name")).toBe("'node'");
    expect(propertyValue(runtime, "version")).toBe("'20'");
    expect(appSettingNames(apiBicep)).not.toContain("FUNCTIONS_WORKER_RUNTIME");
    expect(resource(apiBicep, "Microsoft.Web/serverfarms").body).toMatch(/tier:\s*'FlexConsumption'/);
  });

  it("reaches host storage with the user-assigned identity, never a key", () => {
    const settings = childObject(resources(apiBicep).find((r) => propertyValue(r.body, "name") === "'appsettings'")!.body, "properties")!;
    expect(propertyValue(settings, "AzureWebJobsStorage__credential")).toBe("'managedidentity'");
    expect(propertyValue(settings, "AzureWebJobsStorage__clientId")).toBe("identityClientId");
    expect(propertyValue(settings, "AZURE_CLIENT_ID")).toBe("identityClientId");
    expect(appSettingNames(apiBicep)).not.toContain("AzureWebJobsStorage");
    expect(resource(read("infra/app/storage.bicep"), "Microsoft.Storage/storageAccounts").body).toMatch(/allowSharedKeyAccess:\s*false/);
  });

  it("takes the Peig API key from Key Vault and requires the signed-in approver", () => {
    const settings = childObject(resources(apiBicep).find((r) => propertyValue(r.body, "name") === "'appsettings'")!.body, "properties")!;
    expect(propertyValue(settings, "PEIG_API_KEY")).toContain("@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${peigApiKeySecretName})");
    expect(propertyValue(settings, "REQUIRE_SIGNED_IN_APPROVER")).toBe("'true'");
    expect(propertyValue(childObject(resource(apiBicep, "Microsoft.Web/sites").body, "properties")!, "keyVaultReferenceIdentity")).toBe("identityId");
    expect(resource(read("infra/app/keyvault.bicep"), "Microsoft.KeyVault/vaults").body).toMatch(/enableRbacAuthorization:\s*true/);
  });

  it("sends telemetry with Entra auth only", () => {
    expect(resource(read("infra/app/monitoring.bicep"), "Microsoft.Insights/components").body).toMatch(/DisableLocalAuth:\s*true/);
    expect(appSettingNames(apiBicep)).toContain("APPLICATIONINSIGHTS_AUTHENTICATION_STRING");
  });

  it("requires Entra sign-in for /api/tasks/* and leaves the admin API to function keys", () => {
    const auth = resources(apiBicep).find((r) => propertyValue(r.body, "name") === "'authsettingsV2'");
    expect(auth).toBeDefined();
    const validation = childObject(childObject(auth!.body, "properties")!, "globalValidation")!;
    expect(propertyValue(validation, "requireAuthentication")).toBe("true");
    expect(propertyValue(validation, "unauthenticatedClientAction")).toBe("'RedirectToLoginPage'");
    const excluded = /excludedPaths:\s*\[([^\]]*)\]/.exec(validation)![1];
    expect(excluded).toContain("'/api/migrations/*'");
    expect(excluded).not.toMatch(/\/api\/tasks|'\/api\/\*'/);
  });
});

describe("infra/ assigns the identity every role the code needs", () => {
  it.each(Object.keys(requiredRoles))("assigns %s to the identity", (role) => {
    expect(missingRoles(rbacBicep, { [role]: requiredRoles[role as keyof typeof requiredRoles] }, "identityPrincipalId")).toEqual([]);
  });

  it("scopes the storage roles to the storage account and the secrets role to the vault", () => {
    const scopes = new Map(roleAssignments(rbacBicep).map((a) => [a.roleDefinitionId, a.scope]));
    expect(scopes.get(requiredRoles["Storage Blob Data Owner"])).toBe("storage");
    expect(scopes.get(requiredRoles["Storage Queue Data Contributor"])).toBe("storage");
    expect(scopes.get(requiredRoles["Storage Table Data Contributor"])).toBe("storage");
    expect(scopes.get(requiredRoles["Key Vault Secrets User"])).toBe("vault");
  });

  it("feeds the role module and the Function App the same user-assigned identity", () => {
    const byName = new Map(modules(mainBicep).map((m) => [m.symbol, m]));
    expect(byName.get("identity")?.path).toBe("./app/identity.bicep");
    expect(propertyValue(childObject(byName.get("rbac")!.body, "params")!, "identityPrincipalId")).toBe("identity.outputs.principalId");
    const apiParams = childObject(byName.get("api")!.body, "params")!;
    expect(propertyValue(apiParams, "identityId")).toBe("identity.outputs.id");
    expect(propertyValue(apiParams, "identityClientId")).toBe("identity.outputs.clientId");
    expect(resource(read("infra/app/identity.bicep"), "Microsoft.ManagedIdentity/userAssignedIdentities")).toBeDefined();
  });
});

describe("infra/ is internally consistent", () => {
  const mainModules = modules(mainBicep);

  it.each(mainModules.map((m) => [m.symbol, m] as const))("module %s passes exactly the params its file declares", (_symbol, module) => {
    const file = join(root, "infra", module.path);
    expect(existsSync(file)).toBe(true);
    const declared = params(readFileSync(file, "utf8"));
    expect(module.passed.filter((p) => !declared.some((d) => d.name === p))).toEqual([]);
    expect(declared.filter((d) => !d.hasDefault && !module.passed.includes(d.name)).map((d) => d.name)).toEqual([]);
  });

  it("reads only outputs the modules declare", () => {
    const declared = new Map(mainModules.map((m) => [m.symbol, outputs(readFileSync(join(root, "infra", m.path), "utf8"))]));
    const used = [...mainBicep.matchAll(/\b(\w+)\.outputs\.(\w+)/g)].map((m) => [m[1], m[2]] as const);
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter(([symbol, output]) => !declared.get(symbol)?.includes(output))).toEqual([]);
  });

  it("gives every required parameter of main.bicep a value in main.parameters.json, and nothing else", () => {
    const given = Object.keys((JSON.parse(read("infra/main.parameters.json")) as { parameters: Record<string, unknown> }).parameters);
    const declared = params(mainBicep);
    expect(given.filter((g) => !declared.some((d) => d.name === g))).toEqual([]);
    expect(declared.filter((d) => !d.hasDefault && !given.includes(d.name)).map((d) => d.name)).toEqual([]);
  });
});

describe("azure.yaml and the Functions project", () => {
  const azure = parseYaml(read("azure.yaml")) as { services: Record<string, { project: string; language: string; host: string }>; infra?: { path?: string } };

  it("points azd at the function service, whose Bicep carries the matching azd-service-name tag", () => {
    const [[name, service]] = Object.entries(azure.services);
    expect(service.host).toBe("function");
    expect(["ts", "js"]).toContain(service.language);
    expect(azure.infra?.path ?? "infra").toBe("infra");
    expect(apiBicep).toMatch(/'azd-service-name':\s*serviceName/);
    expect(propertyValue(childObject(modules(mainBicep).find((m) => m.symbol === "api")!.body, "params")!, "serviceName")).toBe(`'${name}'`);
  });

  it("deploys a folder with host.json (extension bundle 4.x, hub from TASKHUB_NAME) and a built entry point", () => {
    const project = resolve(root, Object.values(azure.services)[0].project);
    const host = JSON.parse(readFileSync(join(project, "host.json"), "utf8")) as {
      version: string;
      extensionBundle: { id: string; version: string };
      extensions: { durableTask: { hubName: string } };
    };
    expect(host.version).toBe("2.0");
    expect(host.extensionBundle).toEqual({ id: "Microsoft.Azure.Functions.ExtensionBundle", version: "[4.*, 5.0.0)" });
    expect(host.extensions.durableTask.hubName).toBe("%TASKHUB_NAME%");
    const pkg = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as { main: string; scripts: Record<string, string> };
    expect(pkg.main).toBe("dist/functions/index.js");
    expect(pkg.scripts.build).toBeDefined();
    expect(existsSync(join(project, dirname(pkg.main).replace(/^dist\//, ""), "index.ts"))).toBe(true);
  });
});

describe("the checks themselves fail when something is missing", () => {
  const site = (settings: string) => `
resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: 'x'
  properties: {
    functionAppConfig: {
      runtime: { name: 'node', version: '20' }
    }
  }
}
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'appsettings'
  properties: {
${settings}
  }
}`;

  it("reports a setting the Bicep does not set", () => {
    const bicep = site(`    MAIL_SENDER: mailSender\n    // PUBLIC_BASE_URL: 'commented out does not count'\n    TASK_LINK_TTL: '\${ttl}'`);
    expect(missingSettings(bicep, ["MAIL_SENDER", "PUBLIC_BASE_URL", "TASK_LINK_TTL", "FUNCTIONS_WORKER_RUNTIME"])).toEqual(["PUBLIC_BASE_URL"]);
  });

  it("notices when a setting line is deleted from the real api.bicep", () => {
    const withoutMailSender = apiBicep.replace(/\n\s*MAIL_SENDER:[^\n]*/, "");
    expect(withoutMailSender).not.toBe(apiBicep);
    expect(missingSettings(withoutMailSender, appSettings)).toEqual(["MAIL_SENDER"]);
  });

  it("notices when a role assignment is deleted from the real rbac.bicep", () => {
    const withoutSecretsRole = rbacBicep.replace(/resource secretsRole [\s\S]*?\n}\n/, "");
    expect(withoutSecretsRole).not.toBe(rbacBicep);
    expect(missingRoles(withoutSecretsRole, requiredRoles, "identityPrincipalId")).toEqual(["Key Vault Secrets User"]);
  });

  it("does not count a name that only appears nested or in another config resource", () => {
    const bicep = `${site("    nested: {\n      PEIG_MODE: 'api'\n    }")}
resource auth 'Microsoft.Web/sites/config@2024-04-01' = {
  name: 'authsettingsV2'
  properties: {
    PEIG_API_KEY: 'x'
  }
}`;
    expect(missingSettings(bicep, ["PEIG_MODE", "PEIG_API_KEY"])).toEqual(["PEIG_MODE", "PEIG_API_KEY"]);
  });

  it("reports FUNCTIONS_WORKER_RUNTIME when neither the setting nor a node runtime is there", () => {
    const bicep = site("    MAIL_SENDER: mailSender").replace("name: 'node'", "name: 'python'");
    expect(workerRuntime(bicep)).toBe("python");
    expect(missingSettings(bicep, ["FUNCTIONS_WORKER_RUNTIME"])).toEqual(["FUNCTIONS_WORKER_RUNTIME"]);
  });

  it("reports a role that is missing or assigned to someone else", () => {
    const assignment = (symbol: string, role: string, principal: string) => `
resource ${symbol} 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid('x')
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', ${role})
    principalId: ${principal}
  }
}`;
    const bicep = [
      "var blob = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'",
      assignment("blobRole", "blob", "identityPrincipalId"),
      assignment("queueRole", "'974c5e8b-45b9-4653-ba55-5f855dd0fb88'", "deployerPrincipalId"),
    ].join("\n");
    expect(missingRoles(bicep, requiredRoles, "identityPrincipalId")).toEqual(["Storage Queue Data Contributor", "Storage Table Data Contributor", "Key Vault Secrets User"]);
  });
});
