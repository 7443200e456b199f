import { registry, registerFunction, resetRegistry } from "../local/host/fakeCore";

describe("functions-core stand-in", () => {
  afterEach(() => resetRegistry());
  it("refuses a second function with the same name", () => {
    registerFunction({ name: "a", bindings: {} }, () => 1);
    expect(() => registerFunction({ name: "a", bindings: {} }, () => 2)).toThrow(/registered twice/);
    expect(registry.size).toBe(1);
  });
});
