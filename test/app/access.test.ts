/**
 * The principal App Service Authentication passes (x-ms-client-principal, base64 JSON), read as
 * https://learn.microsoft.com/azure/app-service/configure-authentication-user-identities describes it, and what its
 * roles allow.
 */
import { HttpRequest } from "@azure/functions";
import { AppRoles, parseClientPrincipal, rolesAllow, signedInCaller } from "../../functions/access";

const encode = (principal: unknown) => Buffer.from(JSON.stringify(principal), "utf8").toString("base64");
const user = {
  auth_typ: "aad",
  claims: [
    { typ: "name", val: "Ines Torres" },
    { typ: "preferred_username", val: "it@contoso.com" },
    { typ: "http://schemas.microsoft.com/identity/claims/objectidentifier", val: "oid-1" },
    { typ: "roles", val: AppRoles.admin },
    { typ: "roles", val: "Something.Else" },
  ],
  name_typ: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
  role_typ: "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
};
const request = (headers: Record<string, string>) =>
  new HttpRequest({ method: "GET", url: "https://app.example/api/home", headers });

describe("the client principal", () => {
  it("names a signed-in user by their user principal name, with their object id and every role claim", () => {
    const who = parseClientPrincipal(encode(user));
    expect(who).toEqual({ name: "it@contoso.com", id: "oid-1", roles: new Set([AppRoles.admin, "Something.Else"]) });
  });

  it("reads roles under the principal's own role_typ too, and names an application by its client id", () => {
    const app = {
      auth_typ: "aad",
      claims: [
        { typ: "azp", val: "11111111-2222-3333-4444-555555555555" },
        { typ: "oid", val: "sp-1" },
        { typ: "http://schemas.microsoft.com/ws/2008/06/identity/claims/role", val: AppRoles.viewer },
      ],
      role_typ: "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
    };
    expect(parseClientPrincipal(encode(app))).toEqual({
      name: "application 11111111-2222-3333-4444-555555555555",
      id: "sp-1",
      roles: new Set([AppRoles.viewer]),
    });
  });

  it("is nobody when the header is missing, not base64 JSON, or has no claims or no name", () => {
    for (const header of [
      null,
      "",
      "%%%",
      encode({ auth_typ: "aad" }),
      encode({ claims: [{ typ: "roles", val: "x" }] }),
    ])
      expect(parseClientPrincipal(header)).toBeUndefined();
  });

  it("is trusted only when the platform says App Service Authentication is on", () => {
    const headers = { "x-ms-client-principal": encode(user) };
    expect(signedInCaller(request(headers), { WEBSITE_AUTH_ENABLED: false })).toBeUndefined();
    expect(signedInCaller(request(headers), { WEBSITE_AUTH_ENABLED: true })?.name).toBe("it@contoso.com");
  });
});

describe("what the roles allow", () => {
  it("lets an Admin read and command, a Viewer read only, and anyone else nothing", () => {
    const allows = (roles: string[]) => [rolesAllow(new Set(roles), "read"), rolesAllow(new Set(roles), "command")];
    expect(allows([AppRoles.admin])).toEqual([true, true]);
    expect(allows([AppRoles.viewer])).toEqual([true, false]);
    expect(allows(["Something.Else"])).toEqual([false, false]);
    expect(allows([])).toEqual([false, false]);
  });
});
