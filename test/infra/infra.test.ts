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
import { graphCloudNames } from "../../shared/graph/cloud";
import { AppRoles } from "../../functions/access";
import {
  appSettings,
  compiledMain,
  compileMutated,
  evaluate,
  mainScope,
  moduleDeployed,
  moduleResources,
  moduleScope,
  missingRoles,
  missingSettings,
  moduleInput,
  moduleResource,
  roleAssignments,
  runtime,
  siteConfig,
  Unresolved,
} from "./arm";

const root = resolve(__dirname, "../..");
const read = (path: string) => readFileSync(join(root, path), "utf8");
const describeCompiled = compiledMain ? describe : describe.skip;
const template = compiledMain as ArmTemplate;

/** The app's own settings that the Bicep sets (the platform sets the others when the Bicep enables the feature). */
const ownSettings = SETTING_NAMES.filter((name) => !PLATFORM_SETTING_NAMES.includes(name));

/** Settings the Functions host and Durable read, besides the app's own (SETTING_NAMES). */
const hostSettings = [
  "AzureWebJobsStorage__blobServiceUri",
  "AzureWebJobsStorage__queueServiceUri",
  "AzureWebJobsStorage__tableServiceUri",
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

  it("puts App Service Authentication in front of every path and lets the app decide (no path excluded, anonymous allowed)", () => {
    const auth = siteConfig(template, "authsettingsV2") as {
      platform: { enabled: boolean };
      globalValidation: {
        requireAuthentication: boolean;
        unauthenticatedClientAction: string;
        excludedPaths?: string[];
      };
    };
    expect(auth.platform.enabled).toBe(true);
    expect(auth.globalValidation).toEqual({
      requireAuthentication: false,
      unauthenticatedClientAction: "AllowAnonymous",
    });
  });

  it("defines the app roles functions/access.ts checks, with fixed ids, and outputs them for the postprovision hook", () => {
    const roles = template.variables?.authAppRoles as { id: string; value: string; allowedMemberTypes: string[] }[];
    expect(roles.map((r) => r.value).sort()).toEqual(Object.values(AppRoles).sort());
    for (const role of roles) {
      expect(role.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(role.allowedMemberTypes).toEqual(["User", "Application"]);
    }
    expect(template.outputs?.AUTH_APP_ROLES).toEqual({ type: "string", value: "[string(variables('authAppRoles'))]" });
    const hook = (parseYaml(read("azure.yaml")) as { hooks: { postprovision: Record<string, { run: string }> } }).hooks
      .postprovision;
    for (const shell of ["posix", "windows"]) expect(hook[shell].run).toMatch(/--app-roles/);
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

  it("adds the sign-in callback to the app registration's redirect URIs instead of replacing them", () => {
    const hooks = (parseYaml(read("azure.yaml")) as { hooks: { postprovision: Record<string, { run: string }> } }).hooks
      .postprovision;
    expect(Object.keys(hooks).sort()).toEqual(["posix", "windows"]);
    for (const { run } of Object.values(hooks)) {
      // The existing URIs are read first and passed back with the new ones (the option replaces the list).
      expect(run.indexOf("az ad app show")).toBeGreaterThanOrEqual(0);
      expect(run.indexOf("az ad app show")).toBeLessThan(run.indexOf("az ad app update"));
      expect(run).toMatch(/--web-redirect-uris (\$existing |@\(\$uris)/);
      expect(run).toContain("/.auth/login/aad/callback");
      expect(run).toContain("PUBLIC_BASE_URL");
    }
  });

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

/** The compiled template as ARM would deploy it: main.bicep's parameters (defaults unless given), in a cloud. */
function deployed(template: ArmTemplate, given: Record<string, unknown> = {}, cloud = "AzureCloud") {
  const main = mainScope(template, given, cloud);
  const scopeOf = (module: string) => moduleScope(template, module, main);
  const resource = (module: string, type: string, name?: string) => {
    const found = moduleResources(template, module, type).filter((r) => !name || r.name.includes(`'${name}'`));
    if (found.length !== 1) throw new Error(`expected one ${type} ${name ?? ""} in ${module}, found ${found.length}`);
    return evaluate(found[0].properties, scopeOf(module)) as Record<string, unknown>;
  };
  return { main, scopeOf, resource, settings: () => resource("api", "Microsoft.Web/sites/config", "appsettings") };
}

describeCompiled("infra/ deploys a Flex Consumption app set up for Durable Functions", () => {
  it("writes the auth settings after the app settings, never both site configs at once", () => {
    const auth = moduleResources(template, "api", "Microsoft.Web/sites/config").find((r) =>
      r.name.includes("'authsettingsV2'"),
    ) as { dependsOn?: string[] };
    expect(auth.dependsOn).toContain("[resourceId('Microsoft.Web/sites/config', parameters('name'), 'appsettings')]");
  });

  it.each(["AzureCloud", "AzureUSGovernment", "AzureChinaCloud"])(
    "reaches host storage by service URIs of the cloud it deploys to (%s), not by account name",
    (cloud) => {
      const { settings, scopeOf, main } = deployed(template, {}, cloud);
      const values = settings();
      const account = String(scopeOf("api").parameters.storageAccountName);
      const suffix = main.environment.suffixes.storage;
      expect(values).not.toHaveProperty("AzureWebJobsStorage__accountName");
      for (const service of ["blob", "queue", "table"])
        expect(values[`AzureWebJobsStorage__${service}ServiceUri`]).toBe(`https://${account}.${service}.${suffix}`);
      expect(values.MIGRATION_STORAGE_TABLE_ENDPOINT).toBe(`https://${account}.table.${suffix}`);
    },
  );

  it("offers the Graph clouds shared/graph/cloud.ts offers, defaulting to the cloud it deploys to, and no region list of one cloud", () => {
    expect(template.parameters?.location).not.toHaveProperty("allowedValues");
    const graphCloud = template.parameters?.graphCloud as { allowedValues?: string[] };
    expect([...(graphCloud.allowedValues ?? [])].sort()).toEqual(["", ...graphCloudNames].sort());
    expect(deployed(template, {}, "AzureUSGovernment").settings().GRAPH_CLOUD).toBe("usgov");
    expect(deployed(template, {}, "AzureChinaCloud").settings().GRAPH_CLOUD).toBe("china");
    expect(deployed(template).settings().GRAPH_CLOUD).toBe("global");
    expect(deployed(template, { graphCloud: "usgovdod" }, "AzureUSGovernment").settings().GRAPH_CLOUD).toBe("usgovdod");
  });

  it("keeps one always-ready instance for the durable group by default, and none when set to 0", () => {
    const alwaysReady = (given: Record<string, unknown>) =>
      (
        deployed(template, given).resource("api", "Microsoft.Web/sites").functionAppConfig as {
          scaleAndConcurrency: { alwaysReady: unknown };
        }
      ).scaleAndConcurrency.alwaysReady;
    expect(alwaysReady({})).toEqual([{ name: "durable", instanceCount: 1 }]);
    expect(alwaysReady({ durableAlwaysReady: 0 })).toEqual([]);
  });

  it("polls the task hub queues at most every 10 s, the same value as host.json", () => {
    const setting = "AzureFunctionsJobHost__extensions__durableTask__storageProvider__maxQueuePollingInterval";
    const interval = String(deployed(template).settings()[setting]);
    const [h, m, sec] = interval.split(":").map(Number);
    expect(h * 3600 + m * 60 + sec).toBeLessThanOrEqual(10);
    const host = JSON.parse(read("host.json")) as {
      extensions: { durableTask: { storageProvider: { maxQueuePollingInterval: string } } };
    };
    expect(host.extensions.durableTask.storageProvider.maxQueuePollingInterval).toBe(interval);
    expect(deployed(template, { queuePollingInterval: "00:00:05" }).settings()[setting]).toBe("00:00:05");
  });

  it("turns basic-auth publishing credentials off for SCM and FTP", () => {
    const { resource } = deployed(template);
    for (const name of ["scm", "ftp"])
      expect(resource("api", "Microsoft.Web/sites/basicPublishingCredentialsPolicies", name)).toEqual({
        allow: false,
      });
  });
});

describeCompiled("the private-networking switch, compiled both ways", () => {
  let privateByDefault: ArmTemplate;
  beforeAll(() => {
    privateByDefault = compileMutated({
      "main.bicep": (text) =>
        text.replace("param privateNetworking bool = false", "param privateNetworking bool = true"),
    });
  }, 180_000);

  it("off: no VNet, storage and Key Vault reachable publicly with Entra ID only", () => {
    const { main, resource } = deployed(template);
    expect(moduleDeployed(template, "network", main)).toBe(false);
    expect(resource("api", "Microsoft.Web/sites").virtualNetworkSubnetId).toBeNull();
    expect(resource("storage", "Microsoft.Storage/storageAccounts").publicNetworkAccess).toBe("Enabled");
    expect(resource("keyvault", "Microsoft.KeyVault/vaults").publicNetworkAccess).toBe("Enabled");
  });

  it("on: the app joins the VNet, storage and Key Vault take private endpoints and refuse public traffic", () => {
    const { main, resource, scopeOf } = deployed(privateByDefault);
    expect(moduleDeployed(privateByDefault, "network", main)).toBe(true);
    const subnet = resource("api", "Microsoft.Web/sites").virtualNetworkSubnetId;
    expect(subnet).toBeInstanceOf(Unresolved);
    expect((subnet as Unresolved).text).toMatch(
      /'Microsoft\.Resources\/deployments', 'network'\).*\.outputs\.appSubnetId\.value$/,
    );
    expect(resource("storage", "Microsoft.Storage/storageAccounts")).toMatchObject({
      publicNetworkAccess: "Disabled",
      networkAcls: { defaultAction: "Deny" },
    });
    expect(resource("keyvault", "Microsoft.KeyVault/vaults")).toMatchObject({
      publicNetworkAccess: "Disabled",
      networkAcls: { defaultAction: "Deny" },
    });
    const network = scopeOf("network");
    const endpoints = evaluate(network.variables.endpoints, network) as { group: string; zone: string }[];
    expect(endpoints.map((e) => e.group)).toEqual(["blob", "queue", "table", "vault"]);
    expect(endpoints.map((e) => e.zone)).toEqual([
      "privatelink.blob.core.windows.net",
      "privatelink.queue.core.windows.net",
      "privatelink.table.core.windows.net",
      "privatelink.vaultcore.azure.net",
    ]);
    const vnet = resource("network", "Microsoft.Network/virtualNetworks") as {
      subnets: { name: string; properties: { delegations?: { properties: { serviceName: string } }[] } }[];
    };
    expect(vnet.subnets.find((s) => s.name === "app")?.properties.delegations?.[0].properties.serviceName).toBe(
      "Microsoft.App/environments",
    );
  });
});
