import { InvalidHistoryError } from './errors';
import { parseHistoryCsv } from './history-csv';

const HEADER = 'timestamp,cpu,memory,storage,network';

function errorOf(text: string): InvalidHistoryError {
  try {
    parseHistoryCsv(text);
  } catch (error) {
    if (error instanceof InvalidHistoryError) return error;
    throw error;
  }
  throw new Error('expected parseHistoryCsv to throw');
}

describe('parseHistoryCsv', () => {
  it('reads ISO-8601 UTC rows into usage samples', () => {
    const samples = parseHistoryCsv(
      [HEADER, '2024-03-04T10:00:00Z,2.5,8,12.25,100', '2024-03-04T11:00:00.000Z,3,8.5,0,90'].join('\n'),
    );

    expect(samples).toEqual([
      { timestamp: '2024-03-04T10:00:00.000Z', cpu: 2.5, memory: 8, storage: 12.25, network: 100 },
      { timestamp: '2024-03-04T11:00:00.000Z', cpu: 3, memory: 8.5, storage: 0, network: 90 },
    ]);
  });

  it('reads epoch-second timestamps and returns them as ISO-8601 UTC', () => {
    const samples = parseHistoryCsv([HEADER, '1709546400,1,2,3,4', '1709546700.5,1,2,3,4'].join('\n'));

    expect(samples.map((s) => s.timestamp)).toEqual(['2024-03-04T10:00:00.000Z', '2024-03-04T10:05:00.500Z']);
  });

  it('converts ISO timestamps with an offset to UTC', () => {
    const [sample] = parseHistoryCsv([HEADER, '2024-03-04T12:00:00+02:00,1,1,1,1'].join('\n'));

    expect(sample?.timestamp).toBe('2024-03-04T10:00:00.000Z');
  });

  it('tolerates whitespace around fields, CRLF line ends, blank lines and a BOM', () => {
    const text = '\uFEFF timestamp , cpu ,memory, storage ,network \r\n\r\n 2024-03-04T10:00:00Z , 1 ,2,3, 4 \r\n';

    expect(parseHistoryCsv(text)).toEqual([
      { timestamp: '2024-03-04T10:00:00.000Z', cpu: 1, memory: 2, storage: 3, network: 4 },
    ]);
  });

  it('returns no samples for a header-only file', () => {
    expect(parseHistoryCsv(`${HEADER}\n`)).toEqual([]);
  });

  it('rejects an empty file, naming the expected header', () => {
    const error = errorOf('');

    expect(error.line).toBe(1);
    expect(error.message).toContain('timestamp,cpu,memory,storage,network');
  });

  it('rejects a wrong header on line 1', () => {
    const error = errorOf('time,cpu,memory,storage,network\n2024-03-04T10:00:00Z,1,1,1,1');

    expect(error.code).toBe('INVALID_HISTORY');
    expect(error.message).toBe(
      'line 1: header must be "timestamp,cpu,memory,storage,network", got "time,cpu,memory,storage,network"',
    );
  });

  it('rejects a header with the columns in another order', () => {
    expect(errorOf('timestamp,memory,cpu,storage,network').message).toContain('header must be');
  });

  it('rejects a non-numeric value with its line and column', () => {
    const error = errorOf([HEADER, '2024-03-04T10:00:00Z,1,1,1,1', '2024-03-04T11:00:00Z,1,abc,1,1'].join('\n'));

    expect(error.line).toBe(3);
    expect(error.message).toBe('line 3: memory "abc" is not a number');
  });

  it('rejects an empty value', () => {
    expect(errorOf([HEADER, '2024-03-04T10:00:00Z,1,1,,1'].join('\n')).message).toBe('line 2: storage is empty');
  });

  it('rejects a negative value', () => {
    expect(errorOf([HEADER, '2024-03-04T10:00:00Z,-0.5,1,1,1'].join('\n')).message).toBe(
      'line 2: cpu -0.5 is negative',
    );
  });

  it('rejects a row with the wrong number of fields', () => {
    expect(errorOf([HEADER, '2024-03-04T10:00:00Z,1,1,1'].join('\n')).message).toBe(
      'line 2: expected 5 fields, got 4',
    );
  });

  it('rejects an unparseable timestamp', () => {
    const error = errorOf([HEADER, 'yesterday,1,1,1,1'].join('\n'));

    expect(error.line).toBe(2);
    expect(error.message).toContain('timestamp "yesterday" is neither ISO-8601');
  });

  it('rejects an ISO timestamp without a zone, which would be read in local time', () => {
    expect(errorOf([HEADER, '2024-03-04T10:00:00,1,1,1,1'].join('\n')).line).toBe(2);
  });

  it('rejects an impossible calendar date instead of rolling it over', () => {
    expect(errorOf([HEADER, '2024-02-30T10:00:00Z,1,1,1,1'].join('\n')).message).toContain('2024-02-30');
  });

  it('rejects a timestamp that does not increase, counting lines past blank ones', () => {
    const error = errorOf(
      [HEADER, '2024-03-04T10:00:00Z,1,1,1,1', '', '2024-03-04T09:00:00Z,1,1,1,1'].join('\n'),
    );

    expect(error.line).toBe(4);
    expect(error.message).toBe(
      "line 4: timestamp 2024-03-04T09:00:00.000Z is not after the previous row's 2024-03-04T10:00:00.000Z (rows must be strictly increasing)",
    );
  });

  it('rejects a repeated timestamp', () => {
    expect(
      errorOf([HEADER, '1709546400,1,1,1,1', '2024-03-04T10:00:00Z,1,1,1,1'].join('\n')).message,
    ).toContain('is not after the previous row');
  });

  it('reports malformed CSV quoting as an invalid history', () => {
    const error = errorOf([HEADER, '2024-03-04T10:00:00Z,"1,1,1,1'].join('\n'));

    expect(error).toBeInstanceOf(InvalidHistoryError);
    expect(error.message).toContain('malformed CSV');
  });
});
