/**
 * Microsoft Graph's own service principal (the resource whose app roles are Graph's application
 * permissions), the tenant's managed identities, and app role assignments between them: what
 * `npm run grant-permissions` talks to. Status codes and shapes follow
 * https://learn.microsoft.com/en-us/graph/api/serviceprincipal-post-approleassignedto?view=graph-rest-1.0 (201) and
 * https://learn.microsoft.com/en-us/graph/api/serviceprincipal-list-approleassignedto?view=graph-rest-1.0 (200, paged).
 */
import { randomBytes, randomUUID } from "crypto";
import type { Clock } from "../../shared/clock";
import { GraphHttpError, badRequest, notFound, ok, requireObject, type SimRequest, type SimResponse } from "./http";
import { page, parseQuery, parseSelect, project, type CollectionRules } from "./odata";

/** Microsoft Graph's appId, the same in every tenant (https://learn.microsoft.com/en-us/troubleshoot/entra/entra-id/governance/verify-first-party-apps-sign-in). */
export const MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

/**
 * A subset of Graph's application permissions with their real app role ids
 * (https://learn.microsoft.com/en-us/graph/permissions-reference): the ones this project grants and the
 * ones its docs discuss and reject.
 */
export const microsoftGraphAppRoles: Record<string, string> = {
  "Application.Read.All": "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
  "Application.ReadWrite.All": "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
  "Application.ReadWrite.OwnedBy": "18a4783c-866b-4cc7-a460-3d5e5662c884",
  "AppRoleAssignment.ReadWrite.All": "06b708a9-e830-4db3-a914-8e69da51d44f",
  "AuditLog.Read.All": "b0afded3-3588-46d8-8b3d-9842eff778da",
  "Directory.Read.All": "7ab1d382-f21e-4acd-a863-ba3e13f7da61",
  "Group.Read.All": "5b567255-7703-4780-807c-7be8301ae99b",
  "GroupMember.Read.All": "98830695-27a2-44f7-8c18-0c3ebc9698f6",
  "Mail.Read": "810c84a8-4a9e-49e6-bf7d-12d183f40d01",
  "Mail.ReadBasic.All": "693c5e45-0940-467d-9b8a-1022fb9d42ef",
  "Mail.ReadWrite": "e2a3a72e-5f79-4c64-b1b1-878b674786c9",
  "Mail.Send": "b633e1c5-b582-4048-a93e-9f11b44c7e96",
  // https://graphpermissions.merill.net/permission/MailboxSettings.Read.html (and ….ReadWrite.html)
  "MailboxSettings.Read": "40f97065-369a-49f4-947c-6a255697ae91",
  "MailboxSettings.ReadWrite": "6931bccd-447a-43d1-b442-00a195474933",
  "Policy.Read.All": "246dd0d5-5bd0-4def-940b-0421030a5b68",
  "User.Read.All": "df021288-bdef-4463-88db-98f22de89214",
  "User.ReadBasic.All": "97235f07-e226-4f63-ace3-39588e11d3a1",
};

/** A user-assigned managed identity's service principal (servicePrincipalType "ManagedIdentity"). */
export interface SimManagedIdentity {
  /** The principal (object) id, the one role assignments name. */
  id: string;
  displayName: string;
}

export interface SimAppRoleAssignment extends Record<string, unknown> {
  id: string;
  appRoleId: string;
  createdDateTime: string;
  deletedDateTime: null;
  principalDisplayName: string;
  principalId: string;
  principalType: "ServicePrincipal";
  resourceDisplayName: string;
  resourceId: string;
}

const assignmentRules: CollectionRules = {
  typeName: "microsoft.graph.appRoleAssignment",
  filterable: [],
  properties: [
    "id",
    "appRoleId",
    "createdDateTime",
    "deletedDateTime",
    "principalDisplayName",
    "principalId",
    "principalType",
    "resourceDisplayName",
    "resourceId",
  ],
  defaultTop: 100,
  maxTop: 999,
  advancedQueries: false,
};

const servicePrincipalRules = {
  typeName: "microsoft.graph.servicePrincipal",
  properties: [
    "id",
    "appId",
    "appDisplayName",
    "displayName",
    "servicePrincipalType",
    "appOwnerOrganizationId",
    "appRoles",
    "accountEnabled",
  ],
};

const servicePrincipalPath = /^\/servicePrincipals(?:\/([^/()]+)|\(appId='([^']*)'\))(\/appRoleAssignedTo)?$/;

export class AppRoleAssignmentSimulator {
  readonly assignments: SimAppRoleAssignment[] = [];
  private readonly graph: Record<string, unknown> & {
    id: string;
    displayName: string;
    appRoles: { id: string; value: string }[];
  };
  private readonly managedIdentities: Map<string, Record<string, unknown> & SimManagedIdentity>;

  constructor(
    private readonly options: {
      clock: Clock;
      baseUrl: () => string;
      managedIdentities: SimManagedIdentity[];
      /** Display name of another service principal in the tenant (e.g. the migration app), if it exists. */
      otherServicePrincipal: (id: string) => string | undefined;
    },
  ) {
    this.graph = {
      id: randomUUID(),
      appId: MICROSOFT_GRAPH_APP_ID,
      appDisplayName: "Microsoft Graph",
      displayName: "Microsoft Graph",
      servicePrincipalType: "Application",
      // Microsoft's own tenant owns first-party apps.
      appOwnerOrganizationId: "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
      accountEnabled: true,
      appRoles: Object.entries(microsoftGraphAppRoles).map(([value, id]) => ({
        id,
        value,
        displayName: value,
        description: `Application permission ${value}.`,
        allowedMemberTypes: ["Application"],
        isEnabled: true,
        origin: "Application",
      })),
    };
    this.managedIdentities = new Map(
      options.managedIdentities.map((mi) => [
        mi.id.toLowerCase(),
        {
          ...mi,
          id: mi.id.toLowerCase(),
          appId: randomUUID(),
          appDisplayName: null,
          servicePrincipalType: "ManagedIdentity",
          appOwnerOrganizationId: null,
          appRoles: [],
          accountEnabled: true,
        },
      ]),
    );
  }

  /** undefined when the path is not one of these objects, so the directory simulator can answer it. */
  handle(request: SimRequest): SimResponse | undefined {
    const match = servicePrincipalPath.exec(request.path);
    if (!match) return undefined;
    const [, id, appId, assignedTo] = match;
    const target = this.find(id, appId);
    if (!target) return undefined;
    if (assignedTo) {
      if (target !== this.graph) throw notFound(target.id);
      if (request.method === "GET") return this.list(request);
      if (request.method === "POST") return this.assign(request.body);
      throw new GraphHttpError(
        405,
        "Request_BadRequest",
        `The HTTP method '${request.method}' is not allowed for this resource.`,
      );
    }
    if (request.method !== "GET") return undefined;
    return ok({
      "@odata.context": `${this.options.baseUrl()}v1.0/$metadata#servicePrincipals/$entity`,
      ...project(target, parseSelect(request, servicePrincipalRules)),
    });
  }

  private find(
    id: string | undefined,
    appId: string | undefined,
  ): (Record<string, unknown> & { id: string }) | undefined {
    if (appId !== undefined) return appId.toLowerCase() === MICROSOFT_GRAPH_APP_ID ? this.graph : undefined;
    const key = (id ?? "").toLowerCase();
    return key === this.graph.id ? this.graph : this.managedIdentities.get(key);
  }

  private list(request: SimRequest): SimResponse {
    const parsed = parseQuery(request, assignmentRules);
    const context = `servicePrincipals('${this.graph.id}')/appRoleAssignedTo`;
    return ok(page(this.assignments, parsed, request, { baseUrl: this.options.baseUrl(), context }));
  }

  /** POST …/appRoleAssignedTo with {principalId, resourceId, appRoleId} → 201 appRoleAssignment. */
  private assign(rawBody: unknown): SimResponse {
    const body = requireObject(rawBody);
    const { principalId, resourceId, appRoleId } = body;
    if (typeof principalId !== "string" || typeof resourceId !== "string" || typeof appRoleId !== "string") {
      throw badRequest(
        "Invalid value specified for property 'principalId', 'resourceId' or 'appRoleId' of resource 'AppRoleAssignment'.",
      );
    }
    // [D] The resource in the body must be the one in the path.
    if (resourceId.toLowerCase() !== this.graph.id)
      throw badRequest(`The resourceId '${resourceId}' does not match the service principal in the request URL.`);
    if (!this.graph.appRoles.some((role) => role.id === appRoleId.toLowerCase())) {
      throw badRequest(`Permission being assigned was not found on application '${MICROSOFT_GRAPH_APP_ID}'.`);
    }
    const principalName =
      this.managedIdentities.get(principalId.toLowerCase())?.displayName ??
      this.options.otherServicePrincipal(principalId.toLowerCase());
    // [D] An unknown principal is refused as a missing directory object.
    if (principalName === undefined) throw notFound(principalId);
    const duplicate = this.assignments.some(
      (a) => a.principalId === principalId.toLowerCase() && a.appRoleId === appRoleId.toLowerCase(),
    );
    // Graph's answer to a repeated grant (seen in azuread/terraform and Graph PowerShell reports).
    if (duplicate) throw badRequest("Permission being assigned already exists on the object.");
    const assignment: SimAppRoleAssignment = {
      // Assignment ids are 43-character base64url strings, not GUIDs.
      id: randomBytes(32).toString("base64url"),
      appRoleId: appRoleId.toLowerCase(),
      createdDateTime: this.options.clock
        .now()
        .toISOString()
        .replace(/\.\d{3}Z$/, "Z"),
      deletedDateTime: null,
      principalDisplayName: principalName,
      principalId: principalId.toLowerCase(),
      principalType: "ServicePrincipal",
      resourceDisplayName: this.graph.displayName,
      resourceId: this.graph.id,
    };
    this.assignments.push(assignment);
    return ok(
      {
        "@odata.context": `${this.options.baseUrl()}v1.0/$metadata#servicePrincipals('${this.graph.id}')/appRoleAssignedTo/$entity`,
        ...assignment,
      },
      201,
    );
  }
}
