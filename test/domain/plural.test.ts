import { plural } from "../../shared/domain/plural";

describe("a count in words", () => {
  it("says one thing in the singular and none or several in the plural", () => {
    expect(plural(1, "pending request")).toBe("1 pending request");
    expect(plural(0, "pending request")).toBe("0 pending requests");
    expect(plural(3, "Peig account")).toBe("3 Peig accounts");
  });

  it("takes an irregular plural", () => {
    expect(plural(1, "person", "people")).toBe("1 person");
    expect(plural(2, "person", "people")).toBe("2 people");
  });
});
