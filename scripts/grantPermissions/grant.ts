/**
 * Grants the managed identity its Microsoft Graph application permissions: app role assignments on
 * Microsoft Graph's service principal
 * (https://learn.microsoft.com/en-us/graph/api/serviceprincipal-post-approleassignedto?view=graph-rest-1.0).
 * Idempotent: it lists what the identity already has first and assigns only what is missing; a dry run
 * reads the same things and writes nothing.
 */
import type { AppRole, AppRoleAssignment, ServicePrincipal } from "@microsoft/microsoft-graph-types";
import type { Always, Selected } from "../../shared/graph/selected";
import { plural } from "../../shared/domain/plural";
import { GraphCaller, describeGraphError, graphStatus, odataString, queryPath } from "../../shared/graph/graphCaller";
import { RetriesExhaustedError } from "../../shared/retry";
import { permissionsFor, type Feature } from "../../shared/graph/permissions";

/** Microsoft Graph's appId, the same in every tenant and cloud. */
export const MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

export interface GrantOptions {
  /** The managed identity's principal (object) id, not its client id. */
  principalId: string;
  features: readonly Feature[];
  dryRun: boolean;
}

export type GrantStatus = "alreadyAssigned" | "assigned" | "wouldAssign";

export interface GrantItem {
  permission: string;
  appRoleId: string;
  features: Feature[];
  status: GrantStatus;
}

export interface GrantResult {
  principal: { id: string; displayName: string };
  dryRun: boolean;
  items: GrantItem[];
  /** How many assignments this run created (always 0 for a dry run). */
  assigned: number;
}

/** Microsoft's resource types, narrowed to what is selected and read. */
type PrincipalRead = Always<ServicePrincipal, "id" | "displayName"> &
  Selected<ServicePrincipal, "servicePrincipalType">;
type AppRoleRead = Always<AppRole, "id" | "allowedMemberTypes"> & Selected<AppRole, "value" | "isEnabled">;
type AppRoleAssignmentRead = Always<AppRoleAssignment, "id" | "appRoleId" | "principalId">;

/** The principal id names no service principal (the classic mistake: passing the client id). */
export class PrincipalNotFoundError extends Error {
  constructor(principalId: string) {
    super(
      `No service principal has the object id ${principalId}. --principal-id takes the managed identity's principal (object) id, ` +
        "not its client id: azd env get-value AZURE_IDENTITY_PRINCIPAL_ID",
    );
    this.name = "PrincipalNotFoundError";
  }
}

export async function grantGraphPermissions(
  graph: GraphCaller,
  options: GrantOptions,
  log: (line: string) => void,
): Promise<GrantResult> {
  const principal = await findPrincipal(graph, options.principalId);
  const graphServicePrincipal = await graph.call<Always<ServicePrincipal, "id"> & { appRoles: AppRoleRead[] }>(
    "getServicePrincipal",
    () =>
      graph.client
        .api(
          queryPath(`/servicePrincipals(appId=${odataString(MICROSOFT_GRAPH_APP_ID)})`, {
            $select: "id,displayName,appRoles",
          }),
        )
        .get(),
  );
  const roleIds = applicationRoleIds(graphServicePrincipal.appRoles);
  const existing = await assignedRoleIds(graph, graphServicePrincipal.id, principal.id);

  log(
    `${options.dryRun ? "Dry run: " : ""}Microsoft Graph application permissions for ${principal.displayName} (${principal.id}):`,
  );
  const items: GrantItem[] = [];
  let assigned = 0;
  for (const wanted of permissionsFor(options.features)) {
    const appRoleId = roleIds.get(wanted.permission);
    if (!appRoleId)
      throw new Error(`Microsoft Graph offers no application permission ${wanted.permission} in this tenant`);
    const needs = wanted.features.join(", ");
    let status: GrantStatus;
    if (existing.has(appRoleId)) {
      status = "alreadyAssigned";
    } else if (options.dryRun) {
      status = "wouldAssign";
    } else {
      await assign(graph, { principalId: principal.id, resourceId: graphServicePrincipal.id, appRoleId });
      status = "assigned";
      assigned++;
    }
    log(`  ${statusLabel[status].padEnd(17)} ${wanted.permission.padEnd(26)} (${needs})`);
    items.push({ permission: wanted.permission, appRoleId, features: wanted.features, status });
  }
  log(summary(items, options.dryRun));
  return {
    principal: { id: principal.id, displayName: principal.displayName },
    dryRun: options.dryRun,
    items,
    assigned,
  };
}

const statusLabel: Record<GrantStatus, string> = {
  alreadyAssigned: "already assigned",
  assigned: "assigned",
  wouldAssign: "would assign",
};

function summary(items: GrantItem[], dryRun: boolean): string {
  const missing = items.filter((i) => i.status !== "alreadyAssigned").length;
  const present = items.length - missing;
  if (missing === 0) return `Nothing new to assign: all ${items.length} permissions are already assigned.`;
  if (dryRun) return `Dry run: would assign ${missing}, ${present} already assigned. Nothing was changed.`;
  return `Assigned ${plural(missing, "new permission")}; ${present} ${present === 1 ? "was" : "were"} already assigned. Admin consent is implied by the assignment.`;
}

async function findPrincipal(graph: GraphCaller, principalId: string): Promise<PrincipalRead> {
  try {
    return await graph.call<PrincipalRead>("getServicePrincipal", () =>
      graph.client
        .api(
          queryPath(`/servicePrincipals/${encodeURIComponent(principalId)}`, {
            $select: "id,displayName,servicePrincipalType",
          }),
        )
        .get(),
    );
  } catch (error) {
    if (graphStatus(error) === 404) throw new PrincipalNotFoundError(principalId);
    throw error;
  }
}

/** Only roles a service principal can hold (application permissions), by their `value` (e.g. "Mail.Send"). */
function applicationRoleIds(roles: AppRoleRead[]): Map<string, string> {
  return new Map(
    roles
      .filter((r) => r.isEnabled && r.value && r.allowedMemberTypes.includes("Application"))
      .map((r) => [r.value as string, r.id.toLowerCase()]),
  );
}

/** The app role ids of Microsoft Graph the principal already holds (Graph's assignments are listed on the resource). */
async function assignedRoleIds(graph: GraphCaller, resourceId: string, principalId: string): Promise<Set<string>> {
  const assignments = await graph.listAll<AppRoleAssignmentRead>(
    "listAppRoleAssignedTo",
    `/servicePrincipals/${resourceId}/appRoleAssignedTo`,
  );
  return new Set(
    assignments
      .filter((a) => a.principalId.toLowerCase() === principalId.toLowerCase())
      .map((a) => a.appRoleId.toLowerCase()),
  );
}

/**
 * POST with bounded retries. A lost response (504 after the grant happened) makes the retry answer 400
 * "already exists"; so on any failure the assignments are read again, and a grant that is there counts.
 */
async function assign(
  graph: GraphCaller,
  body: { principalId: string; resourceId: string; appRoleId: string },
): Promise<void> {
  try {
    await graph.call("assignAppRole", () =>
      graph.client.api(`/servicePrincipals/${body.resourceId}/appRoleAssignedTo`).post(body),
    );
  } catch (error) {
    const now = await assignedRoleIds(graph, body.resourceId, body.principalId);
    if (now.has(body.appRoleId.toLowerCase())) return;
    const cause = error instanceof RetriesExhaustedError ? error.lastError : error;
    const hint =
      graphStatus(cause) === 403
        ? " The signed-in account needs Privileged Role Administrator (or Global Administrator) and a token with AppRoleAssignment.ReadWrite.All and Application.Read.All."
        : "";
    throw new Error(`Could not assign app role ${body.appRoleId}: ${describeGraphError(cause)}.${hint}`);
  }
}
