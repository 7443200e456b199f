/**
 * The OData query options the simulator understands: $filter (comparisons joined by and/or), $select, $top,
 * $count and $skiptoken paging (https://learn.microsoft.com/en-us/graph/query-parameters,
 * https://learn.microsoft.com/en-us/graph/paging). Anything else is refused like Graph refuses an
 * unsupported query: 400 Request_UnsupportedQuery.
 */
import { GraphHttpError, badRequest, type SimRequest } from "./http";

type Literal = string | number | boolean | null | Date;
type Operator = "eq" | "ne" | "gt" | "ge" | "lt" | "le";
export type FilterNode =
  | { kind: "compare"; path: string[]; op: Operator; value: Literal }
  | { kind: "logical"; op: "and" | "or"; left: FilterNode; right: FilterNode }
  /** `collection/any(v: …)`: true when some element satisfies the body, where `v` names the element (https://learn.microsoft.com/en-us/graph/filter-query-parameter#operators-and-functions-supported-in-filter-expressions). */
  | { kind: "any"; path: string[]; variable: string; body: FilterNode };

function unsupported(message: string): GraphHttpError {
  return new GraphHttpError(400, "Request_UnsupportedQuery", message);
}

const tokenPattern =
  /\s*('(?:[^']|'')*'|\(|\)|:|[A-Za-z_][\w]*(?:\/(?:[A-Za-z_][\w]*|\$count))*|\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:\d{2})|-?\d+(?:\.\d+)?)/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  tokenPattern.lastIndex = 0;
  let position = 0;
  while (position < text.length) {
    if (/^\s*$/.test(text.slice(position))) break;
    tokenPattern.lastIndex = position;
    const match = tokenPattern.exec(text);
    if (!match) throw unsupported(`Invalid filter clause: syntax error at position ${position} in '${text}'.`);
    tokens.push(match[1]);
    position = tokenPattern.lastIndex;
  }
  return tokens;
}

function parseLiteral(token: string | undefined): Literal {
  if (token === undefined) throw unsupported("Invalid filter clause: a value is missing.");
  if (token.startsWith("'")) return token.slice(1, -1).replace(/''/g, "'");
  if (token === "true" || token === "false") return token === "true";
  if (token === "null") return null;
  if (/^\d{4}-\d{2}-\d{2}T/.test(token)) {
    const date = new Date(token);
    if (Number.isNaN(date.getTime()))
      throw unsupported(`Invalid filter clause: '${token}' is not a valid DateTimeOffset.`);
    return date;
  }
  if (/^-?\d/.test(token)) return Number(token);
  throw unsupported(`Invalid filter clause: '${token}' is not a literal.`);
}

export function parseFilter(text: string): FilterNode {
  const tokens = tokenize(text);
  let i = 0;
  const parseOr = (): FilterNode => {
    let node = parseAnd();
    while (tokens[i] === "or") {
      i++;
      node = { kind: "logical", op: "or", left: node, right: parseAnd() };
    }
    return node;
  };
  const parseAnd = (): FilterNode => {
    let node = parsePrimary();
    while (tokens[i] === "and") {
      i++;
      node = { kind: "logical", op: "and", left: node, right: parsePrimary() };
    }
    return node;
  };
  const parsePrimary = (): FilterNode => {
    if (tokens[i] === "(") {
      i++;
      const node = parseOr();
      if (tokens[i++] !== ")") throw unsupported("Invalid filter clause: ')' expected.");
      return node;
    }
    const property = tokens[i++];
    if (property?.endsWith("/any") && tokens[i] === "(") {
      const variable = tokens[i + 1];
      if (!variable || tokens[i + 2] !== ":")
        throw unsupported(`Invalid filter clause: 'any' needs a lambda such as any(t: t eq 'x') in '${text}'.`);
      i += 3;
      const body = parseOr();
      if (tokens[i++] !== ")") throw unsupported("Invalid filter clause: ')' expected.");
      return { kind: "any", path: property.split("/").slice(0, -1), variable, body };
    }
    const op = tokens[i++];
    if (!property || !/^[A-Za-z_]/.test(property))
      throw unsupported(`Invalid filter clause: property expected in '${text}'.`);
    if (!["eq", "ne", "gt", "ge", "lt", "le"].includes(op ?? ""))
      throw unsupported(`Invalid filter clause: operator '${op ?? ""}' is not supported.`);
    return { kind: "compare", path: property.split("/"), op: op as Operator, value: parseLiteral(tokens[i++]) };
  };
  const node = parseOr();
  if (i !== tokens.length) throw unsupported(`Invalid filter clause: unexpected '${tokens[i]}'.`);
  return node;
}

/** The properties a filter reads: compared paths, and the collection of each `any` (its body reads the element). */
function filteredPaths(node: FilterNode): { path: string[]; op?: Operator }[] {
  if (node.kind === "compare") return [{ path: node.path, op: node.op }];
  if (node.kind === "any") return [{ path: node.path }];
  return [...filteredPaths(node.left), ...filteredPaths(node.right)];
}

function usesOr(node: FilterNode): boolean {
  return node.kind === "logical" && (node.op === "or" || usesOr(node.left) || usesOr(node.right));
}

/** The value at `path`; a `$count` segment is the size of the collection before it (`assignedLicenses/$count`). */
function valueAt(item: Record<string, unknown>, path: string[]): unknown {
  let value: unknown = item;
  for (const segment of path) {
    if (segment === "$count") value = Array.isArray(value) ? value.length : undefined;
    else value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[segment] : undefined;
  }
  return value;
}

function compare(actual: unknown, op: Operator, expected: Literal): boolean {
  let a: unknown = actual;
  let b: unknown = expected;
  if (expected instanceof Date) {
    a = typeof actual === "string" ? Date.parse(actual) : NaN;
    b = expected.getTime();
  } else if (typeof actual === "string" && typeof expected === "string") {
    // Directory string comparisons are case-insensitive. Equal as typed is equal either way, without lower-casing
    // both sides for every user of a page (`userType eq 'Member'`).
    if (actual === expected && (op === "eq" || op === "ne")) return op === "eq";
    a = actual.toLowerCase();
    b = expected.toLowerCase();
  }
  switch (op) {
    case "eq":
      return a === b || (b === null && a === undefined);
    case "ne":
      return !(a === b || (b === null && a === undefined));
    case "gt":
      return (a as number) > (b as number);
    case "ge":
      return (a as number) >= (b as number);
    case "lt":
      return (a as number) < (b as number);
    case "le":
      return (a as number) <= (b as number);
  }
}

export function matches(node: FilterNode, item: Record<string, unknown>): boolean {
  if (node.kind === "compare") return compare(valueAt(item, node.path), node.op, node.value);
  if (node.kind === "any") {
    const collection = valueAt(item, node.path);
    return (
      Array.isArray(collection) &&
      collection.some((element: unknown) => matches(node.body, { [node.variable]: element }))
    );
  }
  return node.op === "and"
    ? matches(node.left, item) && matches(node.right, item)
    : matches(node.left, item) || matches(node.right, item);
}

export interface CollectionRules {
  /** e.g. "microsoft.graph.user", for error messages. */
  typeName: string;
  /** Properties (paths joined by "/") that accept $filter. */
  filterable: string[];
  /** Every property that may be $select-ed. */
  properties: string[];
  /** What Graph returns without $select, when not all of `properties` (omitted: all of them). */
  defaultProperties?: string[];
  defaultTop: number;
  maxTop: number;
  /** Whether `ne`/`or`/$count on this collection need ConsistencyLevel: eventual (directory objects do). */
  advancedQueries: boolean;
  /** The filter itself is an advanced query (e.g. on an OData cast segment). */
  filterNeedsAdvanced?: boolean;
  /** Collection properties Graph refuses in a filter that also uses `or` ("Complex query on property … is not supported"). */
  notBesideOr?: string[];
}

export interface ParsedQuery {
  filter?: FilterNode;
  select: string[];
  top: number;
  count: boolean;
  offset: number;
}

/**
 * Validates the query like Graph does. Advanced queries (ne, or, filters on a cast) without
 * `ConsistencyLevel: eventual` are refused (https://learn.microsoft.com/en-us/graph/aad-advanced-queries);
 * the header is checked on every page, since Graph does not carry it over to nextLink requests.
 */
export function parseQuery(request: SimRequest, rules: CollectionRules): ParsedQuery {
  const q = request.query;
  for (const key of q.keys()) {
    if (key.startsWith("$") && !["$filter", "$select", "$top", "$count", "$skiptoken"].includes(key)) {
      throw unsupported(`Query option '${key}' is not supported by the simulator for ${rules.typeName}.`);
    }
  }
  const filterText = q.get("$filter");
  const filter = filterText ? parseFilter(filterText) : undefined;
  let needsAdvanced = false;
  if (filter) {
    for (const clause of filteredPaths(filter)) {
      const property = clause.path.join("/");
      if (!rules.filterable.includes(property)) {
        throw unsupported(
          `Unsupported or invalid query filter clause specified for property '${property}' of resource '${rules.typeName}'.`,
        );
      }
      // ne, and a collection's size (`assignedLicenses/$count eq 0`), are advanced queries only (aad-advanced-queries,
      // "Support for filter by properties": "Getting empty collections (/$count eq 0, /$count ne 0) … is supported
      // only with advanced query parameters"; "The not and ne negation operators are supported only with …").
      if (clause.op === "ne" || clause.path.at(-1) === "$count") needsAdvanced = true;
    }
    if (usesOr(filter)) {
      needsAdvanced = true;
      // `assignedLicenses/any(…) or userType eq 'Guest'` answers 400 "Complex query on property assignedLicenses is
      // not supported." (https://github.com/microsoftgraph/microsoft-graph-docs-contrib/issues/3289).
      const refused = filteredPaths(filter).find((clause) => rules.notBesideOr?.includes(clause.path[0]));
      if (refused) throw unsupported(`Complex query on property ${refused.path[0]} is not supported.`);
    }
    if (rules.filterNeedsAdvanced) needsAdvanced = true;
  }
  const eventual = request.headers["consistencylevel"]?.toLowerCase() === "eventual";
  // "If a property or query parameter in the URL is supported only in advanced queries but either the
  // ConsistencyLevel header or the $count=true query string is missing, the request returns an error"
  // (https://learn.microsoft.com/en-us/graph/aad-advanced-queries, "Error handling for advanced queries").
  if (rules.advancedQueries && needsAdvanced && (!eventual || q.get("$count") !== "true")) {
    throw unsupported(
      "Request with ne, or, a collection's $count or a filter on a cast requires the 'ConsistencyLevel: eventual' header and $count=true.",
    );
  }
  // $count=true as a query parameter without the header is not refused on directory objects: Graph answers
  // without @odata.count (https://learn.microsoft.com/en-us/graph/aad-advanced-queries, "$count … without
  // ConsistencyLevel": the count is ignored). Collections outside the directory count without the header.
  const count = q.get("$count") === "true" && (eventual || !rules.advancedQueries);

  const select = parseSelect(request, rules);

  const topText = q.get("$top");
  const top = topText === null ? rules.defaultTop : Number(topText);
  if (!Number.isInteger(top) || top < 1 || top > rules.maxTop) {
    // Graph's text: "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive."
    throw unsupported(`Invalid page size specified: '${topText}'. Must be between 1 and ${rules.maxTop} inclusive.`);
  }
  return { filter, select, top, count, offset: decodeSkipToken(q.get("$skiptoken")) };
}

/** $select (validated), or the type's default properties. */
export function parseSelect(
  request: SimRequest,
  rules: Pick<CollectionRules, "typeName" | "properties" | "defaultProperties">,
): string[] {
  const select =
    request.query
      .get("$select")
      ?.split(",")
      .map((s) => s.trim())
      .filter(Boolean) ??
    rules.defaultProperties ??
    rules.properties;
  for (const property of select) {
    if (!rules.properties.includes(property))
      throw badRequest(`Could not find a property named '${property}' on type '${rules.typeName}'.`);
  }
  return select;
}

export function project(item: Record<string, unknown>, select: string[]): Record<string, unknown> {
  const projected: Record<string, unknown> = {};
  if (typeof item["@odata.type"] === "string") projected["@odata.type"] = item["@odata.type"];
  for (const property of select) projected[property] = item[property] ?? null;
  return projected;
}

function encodeSkipToken(offset: number): string {
  return Buffer.from(`sim-offset:${offset}`).toString("base64url");
}

function decodeSkipToken(token: string | null): number {
  if (token === null) return 0;
  const match = /^sim-offset:(\d+)$/.exec(Buffer.from(token, "base64url").toString());
  if (!match) throw badRequest("The $skiptoken is invalid or has expired.");
  return Number(match[1]);
}

/** What a page reads from: an array, or a view of one (e.g. newest first) that copies nothing. */
export interface Sequence<T> {
  readonly length: number;
  at(index: number): T | undefined;
}

/**
 * One page: `@odata.nextLink` is an absolute URL that repeats the original query plus $skiptoken
 * (values percent-encoded, like Graph's), `@odata.count` only on the first page. The skip token holds
 * the position in `items` where the next match is, so a page reads only up to its own last item and
 * the next match: a full listing costs its size once, not once per page. `asResource` turns an item
 * into its JSON resource as it is read.
 */
export function page<T>(
  items: Sequence<T>,
  parsed: ParsedQuery,
  request: SimRequest,
  links: { baseUrl: string; context: string },
  asResource: (item: T) => Record<string, unknown> = (item) => item as Record<string, unknown>,
): Record<string, unknown> {
  const matchAt = (position: number): Record<string, unknown> | undefined => {
    const resource = asResource(items.at(position) as T);
    return !parsed.filter || matches(parsed.filter, resource) ? resource : undefined;
  };
  const value: Record<string, unknown>[] = [];
  let position = parsed.offset;
  for (; position < items.length && value.length < parsed.top; position++) {
    const resource = matchAt(position);
    if (resource) value.push(project(resource, parsed.select));
  }
  while (position < items.length && !matchAt(position)) position++;
  const body: Record<string, unknown> = {
    "@odata.context": `${links.baseUrl}${request.version}/$metadata#${links.context}`,
  };
  if (parsed.count && parsed.offset === 0) {
    let count = 0;
    for (let i = 0; i < items.length; i++) if (matchAt(i)) count++;
    body["@odata.count"] = count;
  }
  if (position < items.length) {
    const params = [...request.query.entries()].filter(([key]) => key !== "$skiptoken");
    params.push(["$skiptoken", encodeSkipToken(position)]);
    const query = params.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join("&");
    body["@odata.nextLink"] = `${links.baseUrl}${request.version}${encodeURI(request.path)}?${query}`;
  }
  body.value = value;
  return body;
}

/**
 * The latest lower bound a filter puts on a date property through top-level `and` conditions
 * (`createdDateTime ge 2026-…`), or undefined: lets a time-ordered collection skip what is older.
 */
export function lowerDateBound(filter: FilterNode | undefined, property: string): Date | undefined {
  if (!filter || filter.kind === "any") return undefined;
  if (filter.kind === "logical") {
    if (filter.op !== "and") return undefined;
    const bounds = [lowerDateBound(filter.left, property), lowerDateBound(filter.right, property)].filter(
      (d): d is Date => d !== undefined,
    );
    return bounds.length ? new Date(Math.max(...bounds.map((d) => d.getTime()))) : undefined;
  }
  const isBound =
    filter.path.length === 1 &&
    filter.path[0] === property &&
    (filter.op === "ge" || filter.op === "gt") &&
    filter.value instanceof Date;
  return isBound ? (filter.value as Date) : undefined;
}
