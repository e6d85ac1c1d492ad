import type { Highs } from 'highs';

/** One group of identical steps, as the master problem sees it. */
export interface StepClass {
  weight: number;
  required: { cpu: number; memory: number };
  /** Demand scenarios above the requirement, largest first. */
  tailDescending: { cpu: number[]; memory: number[] };
}

export interface MasterInput {
  commitments: ReadonlyArray<{ vcpu: number; memoryGiB: number; hourly: number }>;
  hourly: ReadonlyArray<{ vcpu: number; memoryGiB: number; hourly: number; spot: boolean }>;
  classes: readonly StepClass[];
  hours: number;
  scenarioCount: number;
  minInstances: number;
  maxSpotShare: number;
  penalty: { cpu: number; memory: number };
  timeLimitSeconds: number;
  relativeGap: number;
  /** Solve the linear relaxation (continuous commitment counts): one LP, its optimum a lower bound. */
  relaxed?: boolean;
}

export type MasterStatus = 'optimal' | 'time-limit' | 'infeasible' | 'error';

export interface MasterResult {
  status: MasterStatus;
  /** Integer commitment counts, one per commitment offer (empty when the solve gave no solution). */
  commitmentCounts: number[];
  /** The solver's commitment values before rounding (fractional when relaxed). */
  commitmentValues: number[];
  /** A proven lower bound on the full problem's optimum (the master relaxes the per-step integrality). */
  lowerBound: number;
  objective: number;
  /**
   * Per class, the LP's dual value of one more vCPU and one more GiB of non-spot capacity held for the
   * whole class (its weight included): (vcpu, GiB) prices of capacity, empty without an optimal LP.
   */
  capacityPrices: Array<[number, number]>;
}

/**
 * The coupled part of the problem as one HiGHS MILP: integer commitment counts, constant over the
 * timeframe and charged for every hour, against continuous per-step on-demand/spot recourse for each group
 * of identical steps. Relaxing only the per-step counts keeps it small (few integers) while its dual bound
 * stays a valid lower bound for the full integer problem.
 */
export function solveCommitmentMaster(highs: Highs, input: MasterInput): MasterResult {
  const { commitments, hourly, classes, maxSpotShare, minInstances, scenarioCount, penalty } = input;
  const colCost: number[] = [];
  const integrality: number[] = [];
  for (const c of commitments) {
    colCost.push(c.hourly * input.hours);
    integrality.push(1);
  }
  const rowLower: number[] = [];
  const starts: number[] = [0];
  const indices: number[] = [];
  const values: number[] = [];
  const addRow = (entries: Array<[number, number]>, lower: number) => {
    for (const [col, value] of entries) {
      if (value === 0) continue;
      indices.push(col);
      values.push(value);
    }
    starts.push(indices.length);
    rowLower.push(lower);
  };
  const spotExists = hourly.some((h) => h.spot);
  /** Per class, the rows where capacity counts, with the weight of one unit of vCPU / GiB in each. */
  const capacityRows: Array<Array<[row: number, cpu: number, memory: number]>> = [];

  for (const stepClass of classes) {
    const first = colCost.length;
    for (const h of hourly) {
      colCost.push(stepClass.weight * h.hourly);
      integrality.push(0);
    }
    const hourlyCols = hourly.map((_, j) => first + j);
    const commitmentCols = commitments.map((_, k) => k);
    const capacity = (pick: (o: { vcpu: number; memoryGiB: number }) => number, nonSpotOnly: boolean): Array<[number, number]> => [
      ...commitments.map((c, k) => [commitmentCols[k] as number, pick(c)] as [number, number]),
      ...hourly.flatMap((h, j) => (nonSpotOnly && h.spot ? [] : [[hourlyCols[j] as number, pick(h)] as [number, number]])),
    ];
    const cpu = capacity((o) => o.vcpu, false);
    const memory = capacity((o) => o.memoryGiB, false);
    const rows: Array<[number, number, number]> = [];
    capacityRows.push(rows);
    rows.push([rowLower.length, 1, 0]);
    addRow(cpu, stepClass.required.cpu);
    rows.push([rowLower.length, 0, 1]);
    addRow(memory, stepClass.required.memory);
    if (spotExists && maxSpotShare < 1) {
      rows.push([rowLower.length, 1, 0]);
      addRow(capacity((o) => o.vcpu, true), (1 - maxSpotShare) * stepClass.required.cpu);
      rows.push([rowLower.length, 0, 1]);
      addRow(capacity((o) => o.memoryGiB, true), (1 - maxSpotShare) * stepClass.required.memory);
    }
    if (minInstances > 0)
      addRow([...commitmentCols.map((col) => [col, 1] as [number, number]), ...hourlyCols.map((col) => [col, 1] as [number, number])], minInstances);
    // Expected unmet demand as an epigraph: u >= (1/S) sum over the k largest scenarios of (d - capacity).
    for (const [resource, entries] of [['cpu', cpu], ['memory', memory]] as const) {
      const tail = stepClass.tailDescending[resource];
      if (tail.length === 0 || penalty[resource] <= 0) continue;
      const unmetCol = colCost.length;
      colCost.push(stepClass.weight * penalty[resource]);
      integrality.push(0);
      let sum = 0;
      tail.forEach((d, i) => {
        sum += d;
        const k = i + 1;
        rows.push([rowLower.length, resource === 'cpu' ? k / scenarioCount : 0, resource === 'memory' ? k / scenarioCount : 0]);
        addRow([[unmetCol, 1], ...entries.map(([col, value]) => [col, (k / scenarioCount) * value] as [number, number])], sum / scenarioCount);
      });
    }
  }

  const numCols = colCost.length;
  const numRows = rowLower.length;
  const model = highs.createModel();
  try {
    model.options.set({ output_flag: false, time_limit: input.timeLimitSeconds, mip_rel_gap: input.relativeGap });
    model.passModel({
      numCols,
      numRows,
      colCost: new Float64Array(colCost),
      colLower: new Float64Array(numCols),
      colUpper: new Float64Array(numCols).fill(highs.infinity),
      rowLower: new Float64Array(rowLower),
      rowUpper: new Float64Array(numRows).fill(highs.infinity),
      matrix: { format: 'csr', numRows, numCols, starts: new Int32Array(starts), indices: new Int32Array(indices), values: new Float64Array(values) },
      ...(commitments.length > 0 && !input.relaxed ? { integrality: new Int32Array(integrality) } : {}),
    });
    model.run();
    const code = model.getModelStatus();
    const statuses = highs.constants.modelStatus;
    if (code === statuses.infeasible) return { status: 'infeasible', commitmentCounts: [], commitmentValues: [], lowerBound: Infinity, objective: Infinity, capacityPrices: [] };
    const hasSolution = Number(model.info.get('primal_solution_status')) === highs.constants.solutionStatus.feasible;
    if (!hasSolution) return { status: code === statuses.timeLimit ? 'time-limit' : 'error', commitmentCounts: [], commitmentValues: [], lowerBound: 0, objective: Infinity, capacityPrices: [] };
    const objective = model.getObjectiveValue();
    const integer = commitments.length > 0 && !input.relaxed;
    const lowerBound = integer ? Number(model.info.get('mip_dual_bound')) : code === statuses.optimal ? objective : 0;
    const solution = model.getSolution();
    const colValue = solution.colValue;
    const capacityPrices =
      code === statuses.optimal
        ? capacityRows.map((rows) =>
            rows.reduce<[number, number]>(
              (sum, [row, c, m]) => {
                const dual = Math.max(0, solution.rowDual[row] ?? 0);
                return [sum[0] + c * dual, sum[1] + m * dual];
              },
              [0, 0],
            ),
          )
        : [];
    const commitmentValues = commitments.map((_, k) => Math.max(0, colValue[k] ?? 0));
    const commitmentCounts = commitmentValues.map((v) => Math.round(v));
    return { status: code === statuses.optimal ? 'optimal' : 'time-limit', commitmentCounts, commitmentValues, lowerBound: Number.isFinite(lowerBound) ? lowerBound : 0, objective, capacityPrices };
  } catch {
    // A native failure is not the caller's mistake: the optimiser falls back to its heuristic.
    return { status: 'error', commitmentCounts: [], commitmentValues: [], lowerBound: 0, objective: Infinity, capacityPrices: [] };
  } finally {
    model.dispose();
  }
}
