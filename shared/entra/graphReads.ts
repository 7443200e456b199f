/**
 * What the Entra adapter reads from Graph, typed by Microsoft's own resource types
 * (`@microsoft/microsoft-graph-types`, generated from Graph's metadata): each `$select` list is checked against the
 * resource's properties, and each read type has exactly the selected properties, so a misspelt property in a
 * query, a request body or a response read does not compile.
 */
import type {
  Application,
  KeyCredential,
  SelfSignedCertificate,
  ServicePrincipal,
  SignIn,
  User,
} from "@microsoft/microsoft-graph-types";
import { selectList, type Always, type Selected } from "../graph/selected";

export const applicationRead = selectList<Application>()(
  "id",
  "appId",
  "displayName",
  "applicationTemplateId",
  "createdDateTime",
  "identifierUris",
  "tags",
  "web",
);
export type GraphApplication = Selected<Application, (typeof applicationRead.keys)[number]> &
  Always<Application, "id" | "appId" | "identifierUris" | "tags">;

export const servicePrincipalRead = selectList<ServicePrincipal>()(
  "id",
  "appId",
  "preferredSingleSignOnMode",
  "preferredTokenSigningKeyThumbprint",
  "appRoleAssignmentRequired",
  "keyCredentials",
);
export type GraphServicePrincipal = Selected<ServicePrincipal, (typeof servicePrincipalRead.keys)[number]> &
  Always<ServicePrincipal, "id" | "appId" | "keyCredentials">;

export const userRead = selectList<User>()(
  "id",
  "displayName",
  "userPrincipalName",
  "mail",
  "proxyAddresses",
  "otherMails",
  "accountEnabled",
  "userType",
  // Returned only when selected (https://learn.microsoft.com/en-us/graph/api/resources/user?view=graph-rest-1.0).
  "assignedLicenses",
);
export type GraphUser = Selected<User, (typeof userRead.keys)[number]> & Always<User, "id">;

/** signIn list without $select: these are the properties read (https://learn.microsoft.com/en-us/graph/api/resources/signin?view=graph-rest-1.0). */
export type GraphSignIn = Selected<SignIn, "userPrincipalName"> & Always<SignIn, "id" | "userId" | "createdDateTime">;

export type { Application, KeyCredential, SelfSignedCertificate, ServicePrincipal };
