/**
 * Reading the ARM template the real Bicep compiler makes of infra/main.bicep (scripts/bicep.js):
 * the Function App's settings, the role assignments and the modules' wiring, as ARM expressions.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join, resolve } from "path";
import { build, mainTemplate, type ArmResource, type ArmTemplate } from "../../scripts/bicep";

const root = resolve(__dirname, "../..");

/** The compiled infra/main.bicep, or null where no dotnet can restore the Bicep CLI. */
export const compiledMain: ArmTemplate | null = mainTemplate();

/**
 * Compiles a copy of infra/ after `mutate` has edited it (relative path → text → new text), so a test
 * can show that a check notices what the mutation removed.
 */
export function compileMutated(mutate: Record<string, (text: string) => string>): ArmTemplate {
  const dir = mkdtempSync(join(tmpdir(), "infra-mutant-"));
  try {
    cpSync(join(root, "infra"), dir, {
      recursive: true,
      filter: (source) => !source.startsWith(join(root, "infra", "tools")),
    });
    for (const [path, edit] of Object.entries(mutate)) {
      const file = join(dir, path);
      const before = readFileSync(file, "utf8");
      const after = edit(before);
      if (after === before) throw new Error(`the mutation of ${path} changed nothing`);
      writeFileSync(file, after);
    }
    const result = build(join(dir, "main.bicep"), join(dir, "main.json"));
    if (!result?.template) throw new Error(`the mutated infra does not compile:\n${result?.output}`);
    return result.template;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function resourceList(template: ArmTemplate): ArmResource[] {
  return Array.isArray(template.resources) ? template.resources : Object.values(template.resources);
}

/** A module (a nested deployment of main.bicep) by its deployment name. */
export function moduleDeployment(
  template: ArmTemplate,
  name: string,
): ArmResource & { properties: { template: ArmTemplate } } {
  const found = resourceList(template).filter((r) => r.type === "Microsoft.Resources/deployments" && r.name === name);
  if (found.length !== 1) throw new Error(`expected one module deployment named ${name}, found ${found.length}`);
  return found[0] as ArmResource & { properties: { template: ArmTemplate } };
}

/** The resources of one type in a module's template. */
export function moduleResources(template: ArmTemplate, module: string, type: string): ArmResource[] {
  return resourceList(moduleDeployment(template, module).properties.template).filter((r) => r.type === type);
}

/** The one resource of a type in a module's template. */
export function moduleResource(template: ArmTemplate, module: string, type: string): ArmResource {
  const found = moduleResources(template, module, type);
  if (found.length !== 1) throw new Error(`expected one ${type} in module ${module}, found ${found.length}`);
  return found[0];
}

/** A `Microsoft.Web/sites/config` child of the Function App by its name (appsettings, authsettingsV2). */
export function siteConfig(template: ArmTemplate, configName: string): Record<string, unknown> | undefined {
  const config = moduleResources(template, "api", "Microsoft.Web/sites/config").find((r) =>
    r.name.includes(`'${configName}'`),
  );
  return config?.properties;
}

/** The Function App's app settings: name → ARM value or expression. */
export function appSettings(template: ArmTemplate): Record<string, unknown> {
  return siteConfig(template, "appsettings") ?? {};
}

/** The language Flex Consumption runs, from functionAppConfig.runtime (it refuses FUNCTIONS_WORKER_RUNTIME). */
export function runtime(template: ArmTemplate): { name?: string; version?: string } {
  const site = moduleResource(template, "api", "Microsoft.Web/sites");
  const config = site.properties?.functionAppConfig as { runtime?: { name?: string; version?: string } } | undefined;
  return config?.runtime ?? {};
}

/** The names among `names` that the compiled template does not set as app settings. */
export function missingSettings(template: ArmTemplate, names: readonly string[]): string[] {
  const set = appSettings(template);
  return names.filter(
    (name) => !(name in set) && !(name === "FUNCTIONS_WORKER_RUNTIME" && runtime(template).name === "node"),
  );
}

export interface RoleAssignment {
  roleDefinitionId: string;
  /** The resource type of the assignment's scope, e.g. Microsoft.Storage/storageAccounts. */
  scopeType: string | undefined;
  /** Where the principal comes from: "<module>.outputs.<name>" when main.bicep wires a module's output in. */
  principal: string | undefined;
}

/** The role assignments of the rbac module, with the role ids resolved from its variables. */
export function roleAssignments(template: ArmTemplate): RoleAssignment[] {
  const rbac = moduleDeployment(template, "rbac");
  const variables = (rbac.properties.template.variables ?? {}) as Record<string, unknown>;
  return moduleResources(template, "rbac", "Microsoft.Authorization/roleAssignments").map((assignment) => {
    const properties = assignment.properties as { roleDefinitionId: string; principalId: string };
    const role = /roleDefinitions', (?:variables\('(\w+)'\)|'([0-9a-f-]{36})')\)/.exec(properties.roleDefinitionId);
    const roleDefinitionId = role ? String(role[1] ? variables[role[1]] : role[2]) : properties.roleDefinitionId;
    const scopeType = /^\[resourceId\('([^']+)'/.exec(assignment.scope ?? "")?.[1];
    const parameter = /^\[parameters\('(\w+)'\)\]$/.exec(properties.principalId)?.[1];
    return { roleDefinitionId, scopeType, principal: parameter ? moduleInput(template, "rbac", parameter) : undefined };
  });
}

/** The roles (name → built-in role id) not assigned to `principal` ("identity.outputs.principalId"). */
export function missingRoles(template: ArmTemplate, roles: Record<string, string>, principal: string): string[] {
  const assigned = new Set(
    roleAssignments(template)
      .filter((a) => a.principal === principal)
      .map((a) => a.roleDefinitionId),
  );
  return Object.entries(roles)
    .filter(([, id]) => !assigned.has(id))
    .map(([name]) => name);
}

/** "<module>.outputs.<name>" when a module parameter is another module's output. */
export function moduleInput(template: ArmTemplate, module: string, parameter: string): string | undefined {
  const value = String(moduleDeployment(template, module).properties.parameters?.[parameter]?.value ?? "");
  const output = /'Microsoft\.Resources\/deployments', '(\w+)'\), '[^']+'\)\.outputs\.(\w+)\.value\]$/.exec(value);
  return output ? `${output[1]}.outputs.${output[2]}` : value;
}

/** What `environment()` returns in a cloud (the fields the templates read). */
export interface ArmEnvironment {
  name: string;
  suffixes: { storage: string; keyvaultDns: string };
}

export const armClouds: Record<string, ArmEnvironment> = {
  AzureCloud: { name: "AzureCloud", suffixes: { storage: "core.windows.net", keyvaultDns: ".vault.azure.net" } },
  AzureUSGovernment: {
    name: "AzureUSGovernment",
    suffixes: { storage: "core.usgovcloudapi.net", keyvaultDns: ".vault.usgovcloudapi.net" },
  },
  AzureChinaCloud: {
    name: "AzureChinaCloud",
    suffixes: { storage: "core.chinacloudapi.cn", keyvaultDns: ".vault.azure.cn" },
  },
};

/** A value the evaluator leaves to Azure (reference(), resourceId(), …): the expression's text. */
export class Unresolved {
  constructor(readonly text: string) {}
}

export interface ArmScope {
  parameters: Record<string, unknown>;
  variables: Record<string, unknown>;
  environment: ArmEnvironment;
}

/**
 * Evaluates an ARM template language expression (`[if(parameters('x'), 'a', 'b')]`) the way Azure would
 * at deployment, for the functions the checks need; anything else (reference, resourceId, …) stays
 * Unresolved. https://learn.microsoft.com/azure/azure-resource-manager/templates/template-expressions
 */
export function evaluate(value: unknown, scope: ArmScope): unknown {
  if (Array.isArray(value)) return value.map((v) => evaluate(v, scope));
  if (value && typeof value === "object" && !(value instanceof Unresolved))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluate(v, scope)]));
  if (typeof value !== "string" || !value.startsWith("[") || value.startsWith("[[")) return value;
  const text = value.slice(1, -1);
  let at = 0;
  const skip = () => {
    while (text[at] === " ") at++;
  };
  const expect = (c: string) => {
    skip();
    if (text[at] !== c) throw new Error(`expected ${c} at ${at} in ${text}`);
    at++;
  };
  const call = (name: string, args: unknown[], source: string): unknown => {
    const [a, b, c] = args;
    switch (name) {
      case "parameters":
        if (!(String(a) in scope.parameters)) throw new Error(`no parameter ${String(a)}`);
        return scope.parameters[String(a)];
      case "variables":
        return evaluate(scope.variables[String(a)], scope);
      case "environment":
        return scope.environment;
      case "if":
        return a instanceof Unresolved ? new Unresolved(source) : a ? b : c;
      case "not":
        return !a;
      case "empty":
        return a === "" || a === null || (Array.isArray(a) && !a.length);
      case "equals":
        return a === b;
      case "greater":
        return Number(a) > Number(b);
      case "null":
        return null;
      case "true":
        return true;
      case "false":
        return false;
      case "createArray":
        return args;
      case "createObject":
        return Object.fromEntries(args.flatMap((x, i) => (i % 2 ? [] : [[String(x), args[i + 1]]])));
      case "replace":
        return String(a).split(String(b)).join(String(c));
      case "format":
        return String(a).replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i) + 1]));
      default:
        return new Unresolved(source);
    }
  };
  const parse = (): unknown => {
    skip();
    const start = at;
    let result: unknown;
    if (text[at] === "'") {
      let s = "";
      at++;
      for (;;) {
        if (text[at] === "'" && text[at + 1] === "'") {
          s += "'";
          at += 2;
        } else if (text[at] === "'") break;
        else s += text[at++];
      }
      at++;
      result = s;
    } else if (/[-\d]/.test(text[at])) {
      const number = /^-?\d+/.exec(text.slice(at))![0];
      at += number.length;
      result = Number(number);
    } else {
      const name = /^\w+/.exec(text.slice(at))?.[0];
      if (!name) throw new Error(`cannot read ${text.slice(at)}`);
      at += name.length;
      skip();
      const args: unknown[] = [];
      if (text[at] === "(") {
        at++;
        skip();
        while (text[at] !== ")") {
          args.push(parse());
          skip();
          if (text[at] === ",") at++;
        }
        at++;
      }
      result = call(name, args, text.slice(start, at));
    }
    for (;;) {
      skip();
      if (text[at] === ".") {
        at++;
        const property = /^\w+/.exec(text.slice(at))![0];
        at += property.length;
        result =
          result instanceof Unresolved
            ? new Unresolved(`${result.text}.${property}`)
            : (result as Record<string, unknown>)[property];
      } else if (text[at] === "[") {
        at++;
        const index = parse();
        expect("]");
        result = result instanceof Unresolved ? result : (result as Record<string, unknown>)[String(index as string)];
      } else return result;
    }
  };
  return parse();
}

/** main.bicep's scope: its parameters' defaults, overridden by `given`. */
export function mainScope(template: ArmTemplate, given: Record<string, unknown> = {}, cloud = "AzureCloud"): ArmScope {
  const defaults = Object.fromEntries(
    Object.entries(template.parameters ?? {}).map(([name, p]) => [name, p.defaultValue ?? ""]),
  );
  return {
    parameters: { ...defaults, ...given },
    variables: (template.variables ?? {}) as Record<string, unknown>,
    environment: armClouds[cloud],
  };
}

/** A module's scope: the parameters main.bicep passes it, evaluated in main's scope. */
export function moduleScope(template: ArmTemplate, module: string, main: ArmScope): ArmScope {
  const deployment = moduleDeployment(template, module);
  const given = deployment.properties.parameters ?? {};
  const parameters = Object.fromEntries(
    Object.entries(given).map(([name, entry]) => {
      const wrapped = evaluate(entry, main) as { value?: unknown } | Unresolved;
      return [name, wrapped instanceof Unresolved ? wrapped : wrapped.value];
    }),
  );
  const inner = deployment.properties.template;
  for (const [name, p] of Object.entries(inner.parameters ?? {}))
    if (!(name in parameters) && p.defaultValue !== undefined) parameters[name] = p.defaultValue;
  return { parameters, variables: (inner.variables ?? {}) as Record<string, unknown>, environment: main.environment };
}

/** Whether a module is deployed under `scope` (its `condition`). */
export function moduleDeployed(template: ArmTemplate, module: string, main: ArmScope): boolean {
  const condition = (moduleDeployment(template, module) as ArmResource & { condition?: unknown }).condition;
  return condition === undefined || evaluate(condition, main) === true;
}
