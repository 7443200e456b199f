/** The demo plans as many sender mailboxes as its own start request's mail plan needs, at every size it accepts. */
import { demoMailSenders } from "../../local/demo/mailSenders";
import { startRequestBody } from "../../local/demo/startRequest";
import { generateTenant } from "../../local/fixtures/tenant";
import { MAIL_SENDER } from "../../local/stack";
import { planMail } from "../../shared/domain/mailPlan";
import { DEMO_SEED } from "../../local/demo/args";

describe("the demo's sender mailboxes", () => {
  it.each([300, 5_000, 30_000])(
    "%i users: enough mailboxes for the plan to invite and remind everyone in time",
    (users) => {
      const tenant = generateTenant({ users, seed: DEMO_SEED });
      const { senders, recipients } = demoMailSenders(tenant, 14);
      expect(senders[0]).toBe(MAIL_SENDER);
      expect(new Set(senders).size).toBe(senders.length);
      const now = new Date("2026-12-01T09:00:00Z");
      const request = startRequestBody(now, 14, tenant.domain) as unknown as Parameters<typeof planMail>[0];
      expect(planMail(request, recipients, senders, now).shortfalls).toEqual([]);
      // …and no more than it needs.
      if (senders.length > 1) expect(planMail(request, recipients, senders.slice(1), now).shortfalls).not.toEqual([]);
      if (users === 300) expect(senders).toEqual([MAIL_SENDER]);
      if (users >= 5_000) expect(senders.length).toBeGreaterThan(1);
    },
  );
});
