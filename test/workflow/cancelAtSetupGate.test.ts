/**
 * A cancel while operator-mode setup waits for the Peig admin tells the admins, with the reason and
 * the person, as a cancel at the approval gate does.
 */
import { LOCAL_ADMIN } from "../../local/fixtures/staff";
import { mailsWithSubject, startScenario, type Scenario } from "./harness";

let s: Scenario;
afterEach(() => s?.stop());

describe("cancelling at the operator-mode setup gate", () => {
  it("closes the Peig admin's link and mails the admins the reason and who cancelled", async () => {
    s = await startScenario({ peigMode: "operator", tenant: { users: 10 } });
    const id = await s.start();
    expect((await s.stack.store.listTasks(id, { status: "open" })).map((t) => t.gate)).toEqual([
      expect.stringMatching(/^peigConfiguration-/),
    ]);
    const token = (await (
      await fetch(`${s.host.baseUrl}/.auth/local/token`, {
        method: "POST",
        body: JSON.stringify({ userPrincipalName: LOCAL_ADMIN }),
      })
    ).json()) as { access_token: string };
    const res = await fetch(`${s.host.baseUrl}/api/migrations/${id}/cancel`, {
      method: "POST",
      body: JSON.stringify({ reason: "wrong IDP Entity ID" }),
      headers: { "content-type": "application/json", authorization: `Bearer ${token.access_token}` },
    });
    expect(res.status).toBe(202);
    await s.host.idle();

    expect(await s.phase(id)).toBe("cancelled");
    expect(await s.stack.store.listTasks(id, { status: "open" })).toEqual([]);
    const notices = mailsWithSubject(s.stack, /^Peig migration "contoso": cancelled$/);
    expect(notices).toHaveLength(1);
    expect(notices[0].bcc).toEqual(["it@contoso.com"]);
    expect(notices[0].html).toContain("wrong IDP Entity ID");
    expect(notices[0].html).toContain(LOCAL_ADMIN);
  });
});
