/** The parts of Graph's application and servicePrincipal resources the Entra adapter reads. */

/** https://learn.microsoft.com/en-us/graph/api/resources/keycredential?view=graph-rest-1.0 */
export interface GraphKeyCredential {
  keyId: string;
  customKeyIdentifier: string | null;
  displayName: string | null;
  startDateTime: string;
  endDateTime: string;
  /** Base64 DER; returned only when a single object is read with $select=keyCredentials. */
  key: string | null;
  type: string;
  usage: "Sign" | "Verify";
}

/** https://learn.microsoft.com/en-us/graph/api/resources/application?view=graph-rest-1.0 */
export interface GraphApplication {
  id: string;
  appId: string;
  displayName: string;
  applicationTemplateId: string | null;
  createdDateTime: string | null;
  identifierUris: string[];
  tags: string[];
  web: { redirectUris: string[] } | null;
}

/** https://learn.microsoft.com/en-us/graph/api/resources/serviceprincipal?view=graph-rest-1.0 */
export interface GraphServicePrincipal {
  id: string;
  appId: string;
  preferredSingleSignOnMode: string | null;
  preferredTokenSigningKeyThumbprint: string | null;
  /** True on a new non-gallery app (docs/graph-facts.md#call-order-for-the-migration-app): users must then be assigned before they can sign in. */
  appRoleAssignmentRequired?: boolean;
  keyCredentials: GraphKeyCredential[];
}

/** https://learn.microsoft.com/en-us/graph/api/resources/applicationserviceprincipal?view=graph-rest-1.0 */
export interface GraphApplicationServicePrincipal {
  application: { id: string; appId: string };
  servicePrincipal: { id: string; appId: string };
}

/** https://learn.microsoft.com/en-us/graph/api/resources/selfsignedcertificate?view=graph-rest-1.0 */
export interface GraphSelfSignedCertificate {
  key: string;
  keyId: string;
  thumbprint: string;
  displayName: string;
  startDateTime: string;
  endDateTime: string;
}

/** https://learn.microsoft.com/en-us/graph/api/resources/user?view=graph-rest-1.0 (the $select we ask for) */
export interface GraphUser {
  id: string;
  displayName: string | null;
  userPrincipalName: string;
  mail: string | null;
  proxyAddresses: string[] | null;
  otherMails: string[] | null;
  accountEnabled: boolean | null;
  userType: string | null;
}

/** https://learn.microsoft.com/en-us/graph/api/resources/signin?view=graph-rest-1.0 */
export interface GraphSignIn {
  id: string;
  userId: string;
  userPrincipalName: string;
  createdDateTime: string;
}
