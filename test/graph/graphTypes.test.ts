/**
 * The adapter's Graph shapes are Microsoft's (`@microsoft/microsoft-graph-types`): `npm test` typechecks this
 * file, and each `@ts-expect-error` below fails the typecheck if the misspelling ever compiles.
 */
import type { Application, ServicePrincipal } from "@microsoft/microsoft-graph-types";
import { applicationRead, type GraphApplication } from "../../shared/entra/graphReads";
import { selectList } from "../../shared/graph/selected";

describe("Graph shapes from Microsoft's types", () => {
  it("refuse a misspelt property in a request body", () => {
    const body: Application = {
      identifierUris: ["https://pap01.contoso.com/aducid-onboard/m365/metadata"],
      web: { redirectUris: ["https://pap01.contoso.com/aducid-onboard/m365/acs"] },
    };
    // @ts-expect-error identifierUri (singular) is not a property of application
    const misspelt: Application = { identifierUri: ["https://pap01.contoso.com/aducid-onboard/m365/metadata"] };
    const sp: ServicePrincipal = {};
    // @ts-expect-error the property is preferredSingleSignOnMode
    sp.preferredSingleSignonMode = "saml";
    expect([body.identifierUris, Object.keys(misspelt), Object.keys(sp)]).toEqual([
      ["https://pap01.contoso.com/aducid-onboard/m365/metadata"],
      ["identifierUri"],
      ["preferredSingleSignonMode"],
    ]);
  });

  it("refuse a misspelt property in a $select list and in a response read", () => {
    expect(applicationRead.$select).toBe(
      "id,appId,displayName,applicationTemplateId,createdDateTime,identifierUris,tags,web",
    );
    // @ts-expect-error identifierUri is not a property of application
    const misspeltSelect = selectList<Application>()("id", "identifierUri");
    expect(misspeltSelect.$select).toBe("id,identifierUri");

    const read: GraphApplication = {
      id: "o",
      appId: "a",
      displayName: "PeigMigrationManager",
      applicationTemplateId: null,
      createdDateTime: null,
      identifierUris: [],
      tags: [],
      web: null,
    };
    // @ts-expect-error appID is not a property of the application as read
    expect(read.appID).toBeUndefined();
    // @ts-expect-error keyCredentials was not selected, so it cannot be read
    expect(read.keyCredentials).toBeUndefined();
  });
});
