/** Types for scripts/bicep.js (plain JavaScript, so that `npm test` runs it without a compiler). */
export interface Diagnostic {
  level: "Error" | "Warning";
  line: string;
}
export interface BuildResult {
  status: number | null;
  template: ArmTemplate | null;
  diagnostics: Diagnostic[];
  output: string;
}
/** The parts of a compiled ARM template the infra tests read. */
export interface ArmTemplate {
  parameters?: Record<string, { type: string; defaultValue?: unknown }>;
  variables?: Record<string, unknown>;
  resources: ArmResource[];
  outputs?: Record<string, { type: string; value: unknown }>;
}
export interface ArmResource {
  type: string;
  name: string;
  scope?: string;
  tags?: unknown;
  sku?: Record<string, unknown>;
  properties?: Record<string, unknown> & {
    template?: ArmTemplate;
    parameters?: Record<string, { value: unknown }>;
  };
}
export function bicepExecutable(): string | null;
export function build(file: string, outFile: string): BuildResult | null;
export function mainTemplate(): ArmTemplate | null;
