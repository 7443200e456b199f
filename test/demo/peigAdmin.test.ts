/**
 * The demo's Peig admin before confirming the checklist (operator mode): pending requests typed with another e-mail
 * are merged into the account of the user they belong to, found as the api-mode merge task finds them, never by a
 * name that two people share; one whose address names nobody is verified with the person who sent it. A tenant of
 * a few users with two pairs of namesakes, through the Peig simulator's console.
 */
import { performPeigStep } from "../../local/demo/autoApprove";
import { peigAdminDesk } from "../../local/demo/peigAdmin";
import { generateTenant, inScopeUsers, type TenantUser } from "../../local/fixtures/tenant";
import { startPeigSimulator, type PeigSimulatorHandle } from "../../local/peig-simulator";
import { applicationId, certificateValidFor } from "../peig/helpers";
import { VirtualClock } from "../../local/host/clocks";

let peig: PeigSimulatorHandle | undefined;
afterEach(async () => {
  await peig?.stop();
  peig = undefined;
});

/** `namesake` takes `user`'s name: the same display name, two people. */
function sameName(user: TenantUser, namesake: TenantUser): void {
  Object.assign(namesake, { displayName: user.displayName, givenName: user.givenName, surname: user.surname });
}

/** A small tenant whose first users (with a mailbox) `shape` edits, in a Peig simulator with the migration saved. */
async function workspaceWith(shape: (users: TenantUser[], domain: string) => void): Promise<{
  tenant: ReturnType<typeof generateTenant>;
  users: TenantUser[];
  peig: PeigSimulatorHandle;
}> {
  const clock = new VirtualClock();
  const tenant = generateTenant({ users: 12, seed: 11, missRate: 0, mismatchRate: 0 });
  const users = inScopeUsers(tenant).filter((u) => u.mail);
  shape(users, tenant.domain);
  peig = await startPeigSimulator({ clock, tenant });
  const certificate = certificateValidFor(clock, -1, 365);
  expect(peig.state.validate(applicationId, certificate)).toEqual([]);
  peig.state.save(applicationId, certificate);
  return { tenant, users, peig };
}

describe("the demo's Peig admin at the checklist", () => {
  it("merges mistyped requests of people who share a name into the right account, and leaves none pending", async () => {
    let aliasAddress = "";
    const { tenant, users, peig } = await workspaceWith(([typo, typoNamesake, alias, aliasNamesake], domain) => {
      sameName(typo, typoNamesake);
      sameName(alias, aliasNamesake);
      // A slip of the keyboard (an address nobody has), and an alias on record (Entra's proxyAddresses).
      typo.behaviour.typedEmail = `x${typo.mail}`;
      aliasAddress = `${alias.mail!.split("@")[0]}.alias@${domain}`;
      alias.proxyAddresses.push(`smtp:${aliasAddress}`);
      alias.behaviour.typedEmail = aliasAddress;
    });
    const [typo, typoNamesake, alias, aliasNamesake] = users;
    for (const user of [typo, typoNamesake, alias, aliasNamesake]) peig.onboardUser(user.id);
    expect(peig.state.pendingRequests().map((r) => r.email)).toEqual(
      expect.arrayContaining([typo.behaviour.typedEmail, aliasAddress]),
    );
    const namesakeAccounts = [typoNamesake, aliasNamesake].map((u) => peig.state.microsoft365Account(u.id));

    const said: string[] = [];
    const done = await performPeigStep("peigChecklist", "", peigAdminDesk(peig.consoleUrl, tenant), (line) =>
      said.push(line),
    );

    expect(peig.state.pendingRequests()).toEqual([]);
    for (const user of [typo, typoNamesake, alias, aliasNamesake])
      expect(peig.state.microsoft365Account(user.id).linkStatus).toBe("linked");
    // The namesakes keep their own accounts; each request went to its sender's.
    expect([typoNamesake, aliasNamesake].map((u) => peig.state.microsoft365Account(u.id))).toEqual(namesakeAccounts);
    expect(done?.figures).toMatchObject({ pendingRequests: "0", linkedAccounts: "4" });
    expect(said.join("\n")).toContain(
      `asked ${typo.displayName}, who sent the request of ${typo.displayName} typed as ${typo.behaviour.typedEmail}; merged it into the account of ${typo.userPrincipalName}`,
    );
    expect(said.join("\n")).toContain(
      `merged the request of ${alias.displayName} typed as ${aliasAddress} into the account of ${alias.userPrincipalName}`,
    );
    expect(said.join("\n")).not.toMatch(/denied/);
  });

  it("merges into the account a user already has, and denies a request nobody in the directory owns up to", async () => {
    const { tenant, users, peig } = await workspaceWith(([hasAccount, stranger]) => {
      hasAccount.behaviour.typedEmail = `x${hasAccount.mail}`;
      stranger.behaviour.typedEmail = `y${stranger.mail}`;
    });
    const [hasAccount, stranger] = users;
    for (const user of [hasAccount, stranger]) peig.onboardUser(user.id);
    const made = peig.state.createPeigAccount(hasAccount.id); // Create Peig Account earlier (Phase 2, say)
    const desk = peigAdminDesk(peig.consoleUrl, tenant);
    // Whoever sent the second request does not answer, or is nobody in this directory.
    const askWhoSent: typeof desk.askWhoSent = (request) =>
      request.email === stranger.behaviour.typedEmail ? undefined : desk.askWhoSent(request);

    const said: string[] = [];
    await performPeigStep("peigChecklist", "", { ...desk, askWhoSent }, (line) => said.push(line));

    expect(peig.state.pendingRequests()).toEqual([]);
    expect(peig.state.microsoft365Account(hasAccount.id)).toMatchObject({
      linkStatus: "linked",
      peigAccountId: made.id,
    });
    expect(peig.state.microsoft365Account(stranger.id).linkStatus).toBe("unlinked");
    expect(said.join("\n")).toContain(`merged it into the account of ${hasAccount.userPrincipalName}`);
    expect(said.join("\n")).toContain(
      `denied the request of ${stranger.displayName} typed as ${stranger.behaviour.typedEmail}: nobody in the directory sent it`,
    );
  });
});
