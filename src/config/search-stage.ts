// The selection stage of a spec with `search:`: a teacher cell per search point and seed, and the cells
// after each possible winner, all resolved before a run so every problem is reported first.
import { halvingConflict, issueAt, noValidationSplit, searchTooLarge } from '../errors/index.js';
import type { SpecIssue } from '../errors/index.js';
import type { Registry } from '../registry/index.js';
import { contentHash, SPEC_LIMITS } from '../shared/index.js';
import { issuesFromAjv } from './ajv-issues.js';
import type { Locator } from './ajv-issues.js';
import { resolveCells, validateBase } from './cells.js';
import { gridPoints } from './grid.js';
import type { GridAxis } from './grid.js';
import type { IssueCollector } from './issues.js';
import type { SpecSource } from './load.js';
import { formatPath } from './locate.js';
import { validationParamsOf } from './resolve.js';
import { hasValidation } from './resolved-config.js';
import type { ResolvedCell, ResolvedConfig, SearchStage } from './resolved-config.js';
import { carriedSpec, pointLabel, resolveSearch, searchPointSpec } from './search.js';
import type { ResolvedSearch } from './search.js';

/** Locates a problem of a search point's teacher at the search entry whose value caused it. */
function searchLocator(search: ResolvedSearch, point: Readonly<Record<string, unknown>>, locator: Locator): Locator {
  return (segments, atKey) => {
    const dotted = formatPath(segments);
    for (const axis of search.axes) {
      const target = `models.teacher.${axis.path}`;
      // A grid's value is located at its entry; a drawn value at its path's distribution.
      const entry =
        search.strategy === 'random' ? ['search', 'random', 'space', axis.path] : ['search', 'grid', axis.path];
      if (dotted === target || dotted.startsWith(`${target}.`) || dotted.startsWith(`${target}[`)) {
        return search.strategy === 'random'
          ? locator(entry, false)
          : locator([...entry, axis.values.indexOf(point[axis.path])], false);
      }
      // A misspelt path: the key it added is unknown where it landed.
      if (target.startsWith(`${dotted}.`) || dotted.startsWith('models.teacher')) {
        return locator(entry, true);
      }
    }
    return locator(segments, atKey);
  };
}

/**
 * The selection stage of a spec with `search:`: its teacher cells (one per point and seed) and the
 * experiment's cells for each possible winner, all resolved now so every problem is reported before a run.
 */
export function resolveSearchStage(
  source: SpecSource,
  spec: Record<string, unknown>,
  axes: readonly GridAxis[],
  first: ResolvedConfig,
  registry: Registry,
  issues: IssueCollector,
  locator: Locator,
): SearchStage | undefined {
  if (spec.search === undefined) return undefined;
  const problems: SpecIssue[] = [];
  const resolved = resolveSearch(spec, first.models.teacher.training.metrics, registry, locator, problems);
  if (resolved && !hasValidation(first)) {
    problems.push(
      issueAt(
        locator(['search', 'select'], false),
        'search.select',
        noValidationSplit('search', validationParamsOf(registry, first.dataset.name)),
      ),
    );
  }
  // Every point is resolved with every cell of the grid (its possible finals): bound the product.
  const size = resolved ? resolved.points.length * gridPoints(axes) : 0;
  if (size > SPEC_LIMITS.gridCells) {
    problems.push(
      issueAt(locator(['search', 'grid'], true), 'search.grid', searchTooLarge(resolved!.points.length, size)),
    );
  }
  issues.add(problems);
  if (!resolved || problems.length > 0) return undefined;
  // Each point is checked against the schema like a grid cell, its problems located at its search entry.
  for (const point of resolved.points) {
    issues.add(
      issuesFromAjv(validateBase(searchPointSpec(spec, point)) ?? [], [], searchLocator(resolved, point, locator)),
    );
  }
  const pointIds: string[] = [];
  const cells = resolved.points
    .flatMap((point) => {
      // A search cell trains only the teacher: its id is its own, never a final cell's (their rows must not share a key).
      const teachers = resolveCells(source, searchPointSpec(spec, point), [], registry, issues).map((cell) => ({
        ...cell,
        id: contentHash({ search: cell.id }),
      }));
      pointIds.push(teachers[0]?.id ?? '');
      const overrides = Object.fromEntries(Object.entries(point).map(([p, v]) => [`models.teacher.${p}`, v]));
      return teachers.map((cell) => ({ ...cell, overrides, label: pointLabel(resolved, point, 'models.teacher.') }));
    })
    .map((cell, index) => ({ ...cell, index }));
  const finals = resolved.points.map((point) =>
    resolveCells(source, carriedSpec(spec, resolved, point), axes, registry, issues),
  );
  const halving = halvingOf(spec, resolved, cells, locator, issues);
  return { ...resolved, cells, pointIds, finals, ...(halving ? { halving } : {}) };
}

/**
 * `search.halving` resolved: the rungs from min_epochs, times eta each, to the teacher's epochs. Refused (with
 * the problem located) where halving cannot judge the points: the epochs searched (it sets them), early
 * stopping (a point would stop on its own), or min_epochs not below the teacher's epochs.
 */
function halvingOf(
  spec: Record<string, unknown>,
  search: ResolvedSearch,
  cells: readonly ResolvedCell[],
  locator: Locator,
  issues: IssueCollector,
): SearchStage['halving'] {
  const search_ = spec.search as Record<string, unknown>;
  const written = search_.halving as { min_epochs?: unknown; eta?: unknown } | undefined;
  if (typeof written !== 'object' || written === null || typeof written.min_epochs !== 'number') return undefined;
  const minEpochs = written.min_epochs;
  const eta = typeof written.eta === 'number' ? written.eta : 3;
  const at = (key: string) => locator(['search', 'halving', key], true);
  const problems: SpecIssue[] = [];
  const epochsSearched = search.axes.some((axis) => axis.path === 'training.epochs');
  if (epochsSearched) {
    problems.push(
      issueAt(
        locator(['search', 'halving'], true),
        'search.halving',
        halvingConflict(
          'sets the epochs of each point itself, so training.epochs cannot be searched with it',
          "leave training.epochs out of the search; the teacher's training.epochs is the last rung",
        ),
      ),
    );
  }
  const teacher = cells[0]?.config.models.teacher.training;
  if (teacher?.earlyStopping) {
    problems.push(
      issueAt(
        locator(['search', 'halving'], true),
        'search.halving',
        halvingConflict(
          "judges every point at the same epochs, and the teacher's early stopping would end points on its own",
          "remove the teacher's early_stopping, or the halving",
        ),
      ),
    );
  }
  if (teacher && !epochsSearched && minEpochs >= teacher.epochs) {
    problems.push(
      issueAt(
        at('min_epochs'),
        'search.halving.min_epochs',
        halvingConflict(
          `${minEpochs} is not below the teacher's ${teacher.epochs} epochs, so nothing would be cut`,
          `a min_epochs below ${teacher.epochs}, e.g. ${Math.max(1, Math.floor(teacher.epochs / eta))}`,
        ),
      ),
    );
  }
  issues.add(problems);
  if (!teacher || problems.length > 0) return undefined;
  const rungs: number[] = [];
  for (let epochs = minEpochs; epochs < teacher.epochs; epochs *= eta) rungs.push(epochs);
  rungs.push(teacher.epochs);
  return { eta, rungs };
}
