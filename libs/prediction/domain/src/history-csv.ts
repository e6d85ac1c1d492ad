import { METRICS, type Metric, type UsageSample } from '@clonecast/contracts';
import { CsvError, parse } from 'csv-parse/sync';
import { InvalidHistoryError } from './errors';
import { parseIsoInstant, toIso } from './instant';

export const HISTORY_CSV_HEADER = ['timestamp', ...METRICS] as const;

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const EPOCH_SECONDS = /^\d+(?:\.\d+)?$/;

/**
 * Reads a usage history CSV with header `timestamp,cpu,memory,storage,network` (whitespace around
 * fields tolerated). Timestamps are ISO-8601 with a zone or epoch seconds and must strictly increase;
 * values must be non-negative numbers. Timestamps come back as ISO-8601 UTC.
 */
export function parseHistoryCsv(text: string): UsageSample[] {
  const { records, lines } = readRecords(text);
  const header = records[0];
  if (header === undefined) {
    throw new InvalidHistoryError(`empty history: expected the header "${HISTORY_CSV_HEADER.join(',')}"`, 1);
  }
  if (header.length !== HISTORY_CSV_HEADER.length || header.some((name, i) => name !== HISTORY_CSV_HEADER[i])) {
    throw new InvalidHistoryError(
      `header must be "${HISTORY_CSV_HEADER.join(',')}", got "${header.join(',')}"`,
      lines[0],
    );
  }

  const samples: UsageSample[] = [];
  let previousMs = Number.NEGATIVE_INFINITY;
  for (let row = 1; row < records.length; row++) {
    const fields = records[row] as string[];
    const line = lines[row] as number;
    if (fields.length !== HISTORY_CSV_HEADER.length) {
      throw new InvalidHistoryError(`expected ${HISTORY_CSV_HEADER.length} fields, got ${fields.length}`, line);
    }
    const [timestampText, ...valueTexts] = fields as [string, ...string[]];
    const ms = parseTimestamp(timestampText, line);
    if (ms <= previousMs) {
      throw new InvalidHistoryError(
        `timestamp ${toIso(ms)} is not after the previous row's ${toIso(previousMs)} (rows must be strictly increasing)`,
        line,
      );
    }
    previousMs = ms;
    const sample: UsageSample = { timestamp: toIso(ms), cpu: 0, memory: 0, storage: 0, network: 0 };
    METRICS.forEach((metric, i) => {
      sample[metric] = parseValue(metric, valueTexts[i] as string, line);
    });
    samples.push(sample);
  }
  return samples;
}

/** Records plus the (1-based) line each ends on, for error messages. */
function readRecords(text: string): { records: string[][]; lines: number[] } {
  const lines: number[] = [];
  try {
    const records = parse(text, {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      on_record: (record, context) => {
        lines.push(context.lines);
        return record;
      },
    });
    return { records, lines };
  } catch (error) {
    if (error instanceof CsvError) {
      const line = typeof error['lines'] === 'number' ? error['lines'] : undefined;
      throw new InvalidHistoryError(`malformed CSV: ${error.message}`, line);
    }
    throw error;
  }
}

function parseTimestamp(text: string, line: number): number {
  if (text === '') throw new InvalidHistoryError('timestamp is empty', line);
  const ms = EPOCH_SECONDS.test(text) ? Math.round(Number(text) * 1000) : parseIsoInstant(text);
  if (ms === undefined || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15) {
    throw new InvalidHistoryError(
      `timestamp "${text}" is neither ISO-8601 with a zone (e.g. 2024-01-01T00:00:00Z) nor epoch seconds`,
      line,
    );
  }
  return ms;
}

function parseValue(metric: Metric, text: string, line: number): number {
  if (text === '') throw new InvalidHistoryError(`${metric} is empty`, line);
  const value = DECIMAL.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value)) throw new InvalidHistoryError(`${metric} "${text}" is not a number`, line);
  if (value < 0) throw new InvalidHistoryError(`${metric} ${text} is negative`, line);
  return value;
}
