/** The auto-approver reads the same pages a person reads: it must find what the page shows, exactly. */
import { accountsOnPage, taskKindOf, unescapeHtml, valuesOnPage } from "../../local/demo/autoApprove";
import { taskPayload } from "../../shared/taskPayloads";
import { renderTaskPage } from "../../shared/pages/taskPage";
import type { MigrationRequest } from "../../shared/workflow";

const request: MigrationRequest = {
  workspace: "contoso",
  domain: "contoso.com",
  deadline: "2026-12-15T09:00:00Z",
  reminders: ["P1D"],
  monitorEvery: "PT6H",
  approvers: ["cio@contoso.com"],
  requiredApprovals: 1,
  admins: ["it@contoso.com"],
  phase2: "auto",
  endEarly: false,
};
const certificatePem = "-----BEGIN CERTIFICATE-----\nMIIB<&>\"'==\n-----END CERTIFICATE-----";
const accounts = [
  { microsoft365UserId: "u1", userPrincipalName: "jane.o'neil@contoso.com", displayName: "Jane O'Neil" },
  { microsoft365UserId: "u2", userPrincipalName: "zoe@contoso.com", displayName: "Zoë <Admin>" },
];

function page(purpose: Parameters<typeof taskPayload>[0], withAccounts = false): string {
  const payload = taskPayload(purpose, {
    request,
    appId: "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
    certificatePem,
    accountsToCreate: accounts,
    checklist: [],
  });
  return renderTaskPage({
    payload,
    assignee: "it@contoso.com",
    expiresAt: "2026-12-20T09:00:00Z",
    csrf: "token",
    accounts: withAccounts ? accounts : undefined,
    now: new Date("2026-12-15T09:00:00Z"),
  });
}

describe("reading task pages like a person", () => {
  it("tells an approval from each of the Peig admin's steps", () => {
    expect(taskKindOf(page("deletionApproval"))).toBe("approval");
    expect(taskKindOf(page("peigConfiguration"))).toBe("peigConfiguration");
    expect(taskKindOf(page("peigAccounts", true))).toBe("peigAccounts");
    expect(taskKindOf(page("peigDeletion"))).toBe("peigDeletion");
    expect(taskKindOf(page("peigMerges"))).toBe("peigMerges");
  });

  it("copies the values to paste exactly, certificate line breaks and special characters included", () => {
    expect(valuesOnPage(page("peigConfiguration"))).toEqual({
      "Application ID": "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
      "IDP Certificate": certificatePem,
    });
  });

  it("reads the user principal names of the accounts to create", () => {
    expect(accountsOnPage(page("peigAccounts", true))).toEqual(["jane.o'neil@contoso.com", "zoe@contoso.com"]);
  });

  it("undoes HTML escaping", () => {
    expect(unescapeHtml("a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39;")).toBe(`a & b <c> "d" 'e'`);
  });
});
