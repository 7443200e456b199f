/**
 * Names are shown with bidi isolation: a display name with U+202E (right-to-left override) must not
 * reorder the text after it, on the pages (<bdi>) and in e-mails (<bdi> in HTML, U+2068/U+2069 in text).
 */
import { reconcile } from "../../shared/domain/reconcile";
import {
  adminDigestEmail,
  adminNoticeEmail,
  escapeHtmlText,
  invitationEmail,
  isolate,
} from "../../shared/mail/templates";
import { renderTaskPage } from "../../shared/pages/taskPage";
import { table } from "../../shared/pages/layout";
import type { TaskPayload } from "../../shared/taskPayloads";
import { m365User, peigState, request } from "./builders";

const RLO = "\u202E";
const evil = `${RLO}gpj.exe`;
const deadline = new Date("2026-12-15T17:00:00Z");

describe("isolating names", () => {
  it("wraps a name in first-strong isolates, dropping isolate characters it carries so it cannot close early", () => {
    expect(isolate(evil)).toBe(`\u2068${evil}\u2069`);
    expect(isolate(`a\u2069b\u2066c`)).toBe("\u2068abc\u2069");
  });

  it("renders isolates as balanced <bdi> in HTML whatever the input", () => {
    expect(escapeHtmlText(`x ${isolate(evil)} y`)).toBe(`x <bdi>${evil}</bdi> y`);
    expect(escapeHtmlText("\u2069\u2069a\u2068b")).toBe("a<bdi>b</bdi>");
  });
});

describe("e-mails", () => {
  it("isolate the recipient's name in the greeting, in HTML and in text", () => {
    const mail = invitationEmail({
      workspace: "contoso",
      domain: "contoso.com",
      deadline,
      recipientName: evil,
      contact: "it@contoso.com",
    });
    expect(mail.html).toContain(`Hello <bdi>${evil}</bdi>,`);
    expect(mail.text).toContain(`Hello \u2068${evil}\u2069,`);
  });

  it("isolate the person and the reason in an admin notice (a cancellation)", () => {
    const mail = adminNoticeEmail({
      workspace: "contoso",
      event: "cancelled",
      details: { reason: evil, by: `${RLO}mallory` },
      statusPageUrl: "https://m.contoso.com/page",
    });
    expect(mail.html).toContain(`<li>reason: <bdi>${evil}</bdi></li>`);
    expect(mail.html).toContain(`<li>by: <bdi>${RLO}mallory</bdi></li>`);
  });

  it("isolate display names in the admin digest's list of users", () => {
    const users = [m365User("a", { displayName: evil })];
    const reconciliation = reconcile({
      mode: "api",
      users,
      peig: peigState(users, {}, [request("r1", "zz@contoso.com")]),
    });
    const mail = adminDigestEmail({
      workspace: "contoso",
      now: new Date("2026-12-12T13:00:00Z"),
      deadline,
      reconciliation,
      statusPageUrl: "https://m.contoso.com/page",
    });
    expect(mail.html).toContain(`<bdi>${evil}</bdi>`);
    expect(mail.html).not.toMatch(new RegExp(`[^>]${RLO}`));
  });
});

describe("pages", () => {
  it("isolate every table cell", () => {
    expect(table(["Name", "UPN"], [[evil, "a@contoso.com"]])).toContain(
      `<td><bdi>${evil}</bdi></td><td><bdi>a@contoso.com</bdi></td>`,
    );
  });

  it("isolate the assignee on the task page", () => {
    const payload: TaskPayload = {
      purpose: "deletionApproval",
      title: "Approve",
      summary: "s",
      whatHappens: [],
      irreversible: true,
      decisions: ["approve", "reject"],
      workspace: "contoso",
      deadline: deadline.toISOString(),
    };
    const html = renderTaskPage({
      payload,
      assignee: evil,
      expiresAt: deadline.toISOString(),
      csrf: "c",
      now: deadline,
    });
    expect(html).toContain(`for <bdi>${evil}</bdi> · this link works until`);
  });
});
