// The documented bounds on a spec, so that validating it (and running it) is bounded work.

/**
 * Limits checked while a spec is read and validated. Field limits (epochs, batch sizes, layer
 * units, seeds...) live in schema/experiment.schema.json, where editors see them too.
 */
export const SPEC_LIMITS = {
  /** Size of a spec file in bytes. */
  fileBytes: 4 * 1024 * 1024,
  /** Nesting of mappings and lists. */
  depth: 64,
  /** Values that aliases (`*name`) add to the spec when expanded. */
  aliasExpansion: 10_000,
  /** Cells of a grid: the product of its axis lengths. */
  gridCells: 10_000,
  /** Problems listed in one report; the rest are counted. */
  reportedIssues: 100,
} as const;

/** The most units a Dense layer takes: the layer shorthand's range in the schema and the dense component's maximum. */
export const DENSE_UNITS_MAX = 65536;
