// Collects a spec's problems once each, in file order, and refuses the spec with the first ones shown.
import { errorInvalidSpec } from '../errors/index.js';
import type { SpecIssue } from '../errors/index.js';
import { SPEC_LIMITS } from '../shared/index.js';

/** Problems found so far, without repeats (grid cells report their shared problems once). */
export class IssueCollector {
  private readonly byKey = new Map<string, SpecIssue>();
  /** False once validation skipped work because enough problems were found. */
  complete = true;

  /** Adds problems (any number: no argument spreading, which fails for very long lists). */
  add(issues: Iterable<SpecIssue>): void {
    for (const issue of issues) {
      const { line, col, origin } = issue.location;
      const key = `${line}:${col}:${origin}:${issue.path}:${issue.message}`;
      if (!this.byKey.has(key)) this.byKey.set(key, issue);
    }
  }

  get size(): number {
    return this.byKey.size;
  }

  /** True when more problems would not be shown anyway. */
  get full(): boolean {
    return this.byKey.size >= SPEC_LIMITS.reportedIssues;
  }

  /** Every problem, command-line ones first, then in file order. */
  sorted(): SpecIssue[] {
    return [...this.byKey.values()].sort(
      (a, b) => (a.location.line ?? 0) - (b.location.line ?? 0) || (a.location.col ?? 0) - (b.location.col ?? 0),
    );
  }

  /**
   * Refuses the spec if anything was found.
   * @throws DistilError INVALID_SPEC showing the first problems and counting the rest.
   */
  throwIfAny(file: string): void {
    if (this.byKey.size > 0) throw errorInvalidSpec(file, this.sorted(), SPEC_LIMITS.reportedIssues, this.complete);
  }
}
