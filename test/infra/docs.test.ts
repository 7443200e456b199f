import { readFileSync } from "fs";
import { join, resolve } from "path";
import { SETTING_NAMES } from "../../shared/config";
import { microsoftGraphAppRoles } from "../../local/graph-simulator";
import { featurePermissions } from "../../shared/graph/permissions";
import { appSettings, compiledMain } from "./arm";

const root = resolve(__dirname, "../..");
const read = (path: string) => readFileSync(join(root, path), "utf8");

/** Names a reader could type: app settings, azd environment values and Bicep outputs. */
function knownNames(): Set<string> {
  const parameterFile = read("infra/main.parameters.json");
  const azdValues = [...parameterFile.matchAll(/\$\{([A-Z][A-Z0-9_]*)(?:=[^}]*)?\}/g)].map((m) => m[1]);
  return new Set<string>([
    ...SETTING_NAMES,
    ...Object.keys(compiledMain ? appSettings(compiledMain) : {}),
    // Flex Consumption's functionAppConfig.runtime stands in for it (infra.test.ts checks that).
    "FUNCTIONS_WORKER_RUNTIME",
    ...Object.keys(compiledMain?.outputs ?? {}),
    ...azdValues,
  ]);
}

/** Setting-like names in a document: UPPER_SNAKE words and AzureWebJobsStorage__x. */
function settingNamesIn(markdown: string): string[] {
  return [
    ...new Set(
      [...markdown.matchAll(/\b(?:[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9]|AzureWebJobsStorage__\w+)\b/g)].map((m) => m[0]),
    ),
  ];
}

/** Shell variables the document itself assigns (`NAME=...`), which are not settings. */
function shellVariablesIn(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/(?:^|[\s;(])([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
}

/** Graph permission names in a document (e.g. User.Read.All, Mail.Send, Application.ReadWrite.OwnedBy). */
function permissionNamesIn(markdown: string): string[] {
  const names = [
    ...markdown.matchAll(/\b[A-Z][A-Za-z]+\.(?:Read|ReadWrite|ReadBasic|Send)[A-Za-z]*(?:\.[A-Za-z]+)*\b/g),
  ].map((m) => m[0]);
  return [...new Set(names)];
}

const operatorDocs = ["docs/deploy.md", "docs/permissions.md", "docs/admin-runbook.md", "docs/troubleshooting.md"];

// Without the compiled template (no dotnet) the names infra/ defines are unknown: skip rather than guess.
(compiledMain ? describe : describe.skip)("the deployment docs name only settings and permissions that exist", () => {
  const known = knownNames();
  // The docs share shell variables (deploy.md defines $BASE and $SYSTEM_KEY that troubleshooting.md uses).
  const shell = new Set(operatorDocs.flatMap((doc) => [...shellVariablesIn(read(doc))]));

  it.each(operatorDocs)("%s mentions no setting or azd value that the code and infra/ do not define", (doc) => {
    const unknown = settingNamesIn(read(doc)).filter((name) => !known.has(name) && !shell.has(name));
    expect(unknown).toEqual([]);
  });

  it.each(operatorDocs)("%s names only real Microsoft Graph application permissions", (doc) => {
    const unknown = permissionNamesIn(read(doc)).filter((name) => !(name in microsoftGraphAppRoles));
    expect(unknown).toEqual([]);
  });
});

(compiledMain ? describe : describe.skip)("docs/deploy.md covers the azd settings", () => {
  const deploy = read("docs/deploy.md");
  const known = knownNames();

  it("lists every setting a deployer may set through azd", () => {
    const parameterNames = [...read("infra/main.parameters.json").matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]);
    const builtIn = ["AZURE_ENV_NAME", "AZURE_LOCATION"];
    expect(
      parameterNames.filter((name) => !builtIn.includes(name) && !new RegExp(`\\b${name}\\b`).test(deploy)),
    ).toEqual([]);
  });

  it("would catch a made-up setting name", () => {
    const doc = "Set `PEIG_API_TOKEN` and `MAIL_SENDER`; `KEY=$(az …)` then use `$KEY`.";
    const names = settingNamesIn(doc).filter((name) => !known.has(name) && !shellVariablesIn(doc).has(name));
    expect(names).toEqual(["PEIG_API_TOKEN"]);
  });
});

describe("docs/permissions.md matches grant-permissions", () => {
  const permissions = read("docs/permissions.md");

  it("documents every permission the script grants, with its feature", () => {
    for (const { feature, permission } of featurePermissions) {
      expect(permissions).toMatch(
        new RegExp(`\\|\\s*\`${feature}\`\\s*\\|\\s*\`${permission.replace(/\./g, "\\.")}\``),
      );
    }
  });

  it("would catch a permission that does not exist", () => {
    expect(
      permissionNamesIn("grant `Mail.SendAs.All` and `User.Read.All`").filter(
        (name) => !(name in microsoftGraphAppRoles),
      ),
    ).toEqual(["Mail.SendAs.All"]);
  });

  it("shows the Exchange RBAC for Applications commands that scope Mail.Send to the sender", () => {
    for (const command of [
      "New-ServicePrincipal",
      "New-ManagementScope",
      "New-ManagementRoleAssignment",
      '-Role "Application Mail.Send"',
    ]) {
      expect(permissions).toContain(command);
    }
  });
});

describe("docs/deploy.md agrees with azure.yaml, host.json and .funcignore", () => {
  const deploy = read("docs/deploy.md");
  const host = JSON.parse(read("host.json")) as {
    extensionBundle: { version: string };
    extensions: { durableTask: { storageProvider: { maxQueuePollingInterval: string } } };
  };
  const azure = read("azure.yaml");

  it("gives the extension bundle range host.json asks for, and no other", () => {
    expect(deploy).toContain(`\`${host.extensionBundle.version}\``);
    expect([...deploy.matchAll(/`\[4\.[^`]*\)`/g)].map((m) => m[0])).toEqual([`\`${host.extensionBundle.version}\``]);
  });

  it("names the azd version azure.yaml requires and the queue polling interval host.json sets", () => {
    const azd = /azd: ">= ?([\d.]+)"/.exec(azure)?.[1];
    expect(azd).toBeDefined();
    expect(deploy).toContain(`\`azd\`) ${azd} or later`);
    expect(deploy).toContain(`[${host.extensions.durableTask.storageProvider.maxQueuePollingInterval}]`);
  });

  it("says that azd deploys the staged package and that .funcignore keeps node_modules", () => {
    expect(azure).toMatch(/dist: \.package/);
    expect(deploy).toContain("azd deploys `.package/`");
    expect(read(".funcignore").split("\n")).not.toContain("node_modules");
  });
});
