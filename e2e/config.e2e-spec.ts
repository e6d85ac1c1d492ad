import { spawnSync } from 'node:child_process';
import { ROOT, SERVICES } from './stack';

describe('service configuration', () => {
  it.each(SERVICES)('%s stops at boot with a message naming each missing or malformed variable', (service) => {
    const r = spawnSync(process.execPath, [`dist/apps/${service}/main.js`], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'], HTTP_PORT: 'eighty', KAFKA_SSL: 'maybe' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('invalid configuration');
    expect(r.stderr).toContain('KAFKA_BROKERS: is required');
    expect(r.stderr).toContain('HTTP_PORT="eighty"');
    expect(r.stderr).toContain('KAFKA_SSL="maybe"');
  });

  it('scaling-service names an inconsistent scaling policy variable', () => {
    const r = spawnSync(process.execPath, ['dist/apps/scaling-service/main.js'], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'], KAFKA_BROKERS: '127.0.0.1:1', HTTP_PORT: '0', SCALING_MIN_SIZE: '50', SCALING_MAX_SIZE: '10' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('SCALING_MIN_SIZE');
    expect(r.stderr).toContain('must be <= SCALING_MAX_SIZE');
  });
});
