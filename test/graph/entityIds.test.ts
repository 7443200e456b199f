import {
  migrationEntityId,
  migrationReplyUrl,
  peigIdpEndpoints,
  serverFromIdpEntityId,
} from "../../shared/entra/entityIds";

describe("serverFromIdpEntityId", () => {
  it.each([
    ["https://pap01.contoso.com/idp/shibboleth", "pap01.contoso.com"],
    ["https://pap01.contoso.com:8443/idp/shibboleth", "pap01.contoso.com:8443"],
    ["  https://PAP01.Contoso.com/idp/shibboleth ", "pap01.contoso.com"],
  ])("accepts %s", (input, server) => {
    expect(serverFromIdpEntityId(input)).toBe(server);
  });

  it.each([
    "http://pap01.contoso.com/idp/shibboleth",
    "https://pap01.contoso.com/idp/shibboleth/",
    "https://pap01.contoso.com/idp/shibboleth/extra",
    "https://pap01.contoso.com/idp",
    "https://pap01.contoso.com/idp/shibboleth?x=1",
    "https://pap01.contoso.com/idp/shibboleth#top",
    "https://user:pw@pap01.contoso.com/idp/shibboleth",
    "pap01.contoso.com",
    "",
  ])("rejects %j and shows the expected form", (input) => {
    expect(() => serverFromIdpEntityId(input)).toThrow("expected the form https://[SERVER]/idp/shibboleth");
  });

  it("derives the migration app's Entity ID and Reply URL from the server", () => {
    expect(migrationEntityId("pap01.contoso.com")).toBe("https://pap01.contoso.com/aducid-onboard/m365/metadata");
    expect(migrationReplyUrl("pap01.contoso.com")).toBe("https://pap01.contoso.com/aducid-onboard/m365/acs");
  });

  it("derives Peig's IdP endpoints for step 5 from the server", () => {
    expect(peigIdpEndpoints("pap01.contoso.com:8443")).toEqual({
      idpEntityId: "https://pap01.contoso.com:8443/idp/shibboleth",
      signInUrl: "https://pap01.contoso.com:8443/idp/profile/SAML2/POST/SSO",
      signOutUrl: "https://pap01.contoso.com:8443/idp/profile/Logout",
    });
  });
});
