/**
 * Just enough Bicep reading for the infra checks (no Bicep compiler here): resources and their bodies,
 * the keys of an object literal, params, outputs and modules. Comments and strings are skipped when
 * counting braces, so `${...}` inside a string never unbalances a block.
 */

export interface BicepResource {
  symbol: string;
  /** e.g. "Microsoft.Web/sites/config" (without the API version). */
  type: string;
  existing: boolean;
  /** The text between the resource's outer braces. */
  body: string;
}

export interface BicepParam {
  name: string;
  hasDefault: boolean;
}

/** Line and block comments removed; string contents kept. */
export function stripComments(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i] ?? "";
      else if (c === "'") inString = false;
      continue;
    }
    if (c === "'") {
      inString = true;
      out += c;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 1;
    } else {
      out += c;
    }
  }
  return out;
}

/** Index just past the bracket that closes the one at `open` (a `{` or `[`). */
function closingIndex(text: string, open: number): number {
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === "'") inString = false;
      continue;
    }
    if (c === "'") inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new Error(`unbalanced brackets from offset ${open}`);
}

export function resources(source: string): BicepResource[] {
  const text = stripComments(source);
  const found: BicepResource[] = [];
  const header = /^resource\s+(\w+)\s+'([^'@]+)@[^']+'\s+(existing\s+)?=\s+(?:if\s*\([^\n]*?\)\s*)?\{/gm;
  for (let match = header.exec(text); match; match = header.exec(text)) {
    const open = match.index + match[0].length - 1;
    found.push({ symbol: match[1], type: match[2], existing: Boolean(match[3]), body: text.slice(open + 1, closingIndex(text, open) - 1) });
  }
  return found;
}

/** Keys at the top level of an object body (the text between its braces), in order. */
export function objectKeys(body: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let inString = false;
  let lineStart = true;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === "'") inString = false;
      continue;
    }
    if (lineStart && depth === 0) {
      const key = /^\s*(?:'([^']+)'|([A-Za-z_]\w*))\s*:/.exec(body.slice(i, body.indexOf("\n", i) < 0 ? undefined : body.indexOf("\n", i)));
      if (key) keys.push(key[1] ?? key[2]);
    }
    lineStart = c === "\n";
    if (c === "'") inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
  }
  return keys;
}

/** The body of `key: { ... }` at the top level of an object body, or undefined. */
export function childObject(body: string, key: string): string | undefined {
  const match = new RegExp(`(^|\\n)\\s*${key}\\s*:\\s*\\{`).exec(body);
  if (!match) return undefined;
  const open = match.index + match[0].length - 1;
  return body.slice(open + 1, closingIndex(body, open) - 1);
}

/** The expression after `key:` (up to the end of its line, or a comma that ends it on a one-line object). */
export function propertyValue(body: string, key: string): string | undefined {
  const rest = new RegExp(`(?:^|\\n|,)\\s*${key}\\s*:\\s*([^\\n]+)`).exec(body)?.[1];
  if (rest === undefined) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === "'") inString = false;
    } else if (c === "'") inString = true;
    else if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (c === "," && depth === 0) return rest.slice(0, i).trim();
  }
  return rest.trim();
}

export function params(source: string): BicepParam[] {
  const text = stripComments(source);
  return [...text.matchAll(/^param\s+(\w+)\s+\w+(\s*=)?/gm)].map((m) => ({ name: m[1], hasDefault: Boolean(m[2]) }));
}

export function outputs(source: string): string[] {
  return [...stripComments(source).matchAll(/^output\s+(\w+)\s/gm)].map((m) => m[1]);
}

export function variables(source: string): Map<string, string> {
  return new Map([...stripComments(source).matchAll(/^var\s+(\w+)\s*=\s*'([^']*)'/gm)].map((m) => [m[1], m[2]]));
}

export interface BicepModule {
  symbol: string;
  path: string;
  /** Names passed in `params: { ... }`. */
  passed: string[];
  body: string;
}

export function modules(source: string): BicepModule[] {
  const text = stripComments(source);
  const found: BicepModule[] = [];
  const header = /^module\s+(\w+)\s+'([^']+)'\s+=\s+(?:if\s*\([^\n]*?\)\s*)?\{/gm;
  for (let match = header.exec(text); match; match = header.exec(text)) {
    const open = match.index + match[0].length - 1;
    const body = text.slice(open + 1, closingIndex(text, open) - 1);
    found.push({ symbol: match[1], path: match[2], passed: objectKeys(childObject(body, "params") ?? ""), body });
  }
  return found;
}

// ---- the checks the infra test makes, as functions so that they can be shown to fail ----

/** App setting names set by `Microsoft.Web/sites/config` resources named 'appsettings'. */
export function appSettingNames(source: string): string[] {
  return resources(source)
    .filter((r) => r.type === "Microsoft.Web/sites/config" && propertyValue(r.body, "name") === "'appsettings'")
    .flatMap((r) => objectKeys(childObject(r.body, "properties") ?? ""));
}

/** FUNCTIONS_WORKER_RUNTIME, or on Flex Consumption its replacement functionAppConfig.runtime.name. */
export function workerRuntime(source: string): string | undefined {
  for (const site of resources(source).filter((r) => r.type === "Microsoft.Web/sites")) {
    const runtime = childObject(childObject(childObject(site.body, "properties") ?? "", "functionAppConfig") ?? "", "runtime");
    const name = runtime && propertyValue(runtime, "name");
    if (name) return name.replace(/'/g, "");
  }
  const setting = resources(source)
    .filter((r) => r.type === "Microsoft.Web/sites/config")
    .map((r) => propertyValue(childObject(r.body, "properties") ?? "", "FUNCTIONS_WORKER_RUNTIME"))
    .find(Boolean);
  return setting?.replace(/'/g, "");
}

export function missingSettings(source: string, required: readonly string[]): string[] {
  const set = new Set(appSettingNames(source));
  if (workerRuntime(source) === "node") set.add("FUNCTIONS_WORKER_RUNTIME");
  return required.filter((name) => !set.has(name));
}

export interface RoleAssignment {
  symbol: string;
  roleDefinitionId: string;
  principalId: string;
  scope: string;
}

export function roleAssignments(source: string): RoleAssignment[] {
  const vars = variables(source);
  return resources(source)
    .filter((r) => r.type === "Microsoft.Authorization/roleAssignments")
    .map((r) => {
      const properties = childObject(r.body, "properties") ?? "";
      const definition = propertyValue(properties, "roleDefinitionId") ?? "";
      const argument = /,\s*(\w+|'[^']+')\s*\)\s*$/.exec(definition)?.[1] ?? "";
      const roleDefinitionId = argument.startsWith("'") ? argument.slice(1, -1) : (vars.get(argument) ?? argument);
      return { symbol: r.symbol, roleDefinitionId: roleDefinitionId.toLowerCase(), principalId: propertyValue(properties, "principalId") ?? "", scope: propertyValue(r.body, "scope") ?? "" };
    });
}

/** Roles (by definition id) not assigned to `principal` (the expression that names the identity). */
export function missingRoles(source: string, required: Record<string, string>, principal: string): string[] {
  const held = new Set(roleAssignments(source).filter((a) => a.principalId === principal).map((a) => a.roleDefinitionId));
  return Object.entries(required)
    .filter(([, id]) => !held.has(id.toLowerCase()))
    .map(([name]) => name);
}
