/**
 * What the app's identity may do in the simulated tenant: the application permissions in its token (the `roles`
 * claim of an app-only token, https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference)
 * and the tenant's licences. The token endpoint issues such a token (unsigned: nothing here verifies it), and the
 * routes that a real tenant refuses without them answer as Graph does.
 */
import { featurePermissions } from "../../shared/graph/permissions";
import { GraphHttpError, type SimRequest } from "./http";

export interface TenantAccessOptions {
  /** Application permissions granted to the app's identity; default all the app's features need. */
  grantedPermissions?: string[];
  /** Entra ID P1 or P2 in the tenant (sign-in logs need it); default true. */
  entraIdPremium?: boolean;
}

/** Everything the app's features need (the one list `npm run grant-permissions` grants). */
export const defaultGrantedPermissions = [...new Set(featurePermissions.map((p) => p.permission))];

/** Directory APIs refuse a missing permission so (https://learn.microsoft.com/en-us/graph/errors). */
const directoryRefusal = {
  code: "Authorization_RequestDenied",
  message: "Insufficient privileges to complete the operation.",
};

/**
 * Route → the permission Graph requires for it (each API page's permissions table), any broader one that includes
 * it, and the refusal without them.
 */
const required: { path: RegExp; permissions: string[]; refusal: { code: string; message: string } }[] = [
  // https://learn.microsoft.com/en-us/graph/api/signin-list?view=graph-rest-1.0
  { path: /^\/auditLogs\/signIns$/, permissions: ["AuditLog.Read.All"], refusal: directoryRefusal },
  // https://learn.microsoft.com/en-us/graph/api/tenantappmanagementpolicy-get?view=graph-rest-1.0
  { path: /^\/policies\/defaultAppManagementPolicy$/, permissions: ["Policy.Read.All"], refusal: directoryRefusal },
  // https://learn.microsoft.com/en-us/graph/api/user-get-mailboxsettings (application: MailboxSettings.Read, then
  // MailboxSettings.ReadWrite). Exchange refuses with its own code: microsoft-graph-docs issue 3289.
  {
    path: /^\/users\/[^/]+\/mailboxSettings(\/automaticRepliesSetting)?$/i,
    permissions: ["MailboxSettings.Read", "MailboxSettings.ReadWrite"],
    refusal: { code: "ErrorAccessDenied", message: "Access is denied. Check credentials and try again." },
  },
];

export class TenantAccess {
  readonly roles: string[];
  readonly premium: boolean;

  constructor(options: TenantAccessOptions) {
    this.roles = options.grantedPermissions ?? defaultGrantedPermissions;
    this.premium = options.entraIdPremium ?? true;
  }

  /** Throws Graph's refusal for a request the identity or the tenant cannot make. */
  check(request: SimRequest): void {
    const rule = required.find((r) => r.path.test(request.path));
    if (rule && !rule.permissions.some((p) => this.roles.includes(p)))
      throw new GraphHttpError(403, rule.refusal.code, rule.refusal.message);
    if (request.path === "/auditLogs/signIns" && !this.premium) {
      // Without Entra ID P1/P2 (microsoft-graph-docs issues 10987 and 11936; signIn resource: "You must have a
      // Microsoft Entra ID P1 or P2 license to download sign-in logs").
      throw new GraphHttpError(
        403,
        "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
        "Neither tenant is B2C or tenant doesn't have premium license",
      );
    }
  }

  /**
   * POST /{tenant}/oauth2/v2.0/token (client credentials,
   * https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow): a JWT whose
   * payload carries the roles.
   */
  token(now: Date): Record<string, unknown> {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const issuedAt = Math.floor(now.getTime() / 1000);
    const payload = {
      aud: "https://graph.microsoft.com",
      iat: issuedAt,
      nbf: issuedAt,
      exp: issuedAt + 3600,
      idtyp: "app",
      roles: this.roles,
    };
    return {
      token_type: "Bearer",
      expires_in: 3599,
      access_token: `${encode({ typ: "JWT", alg: "none" })}.${encode(payload)}.`,
    };
  }
}
