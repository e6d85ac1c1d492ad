// Loaded with `node --require` before the application, so telemetry is up before any module is imported.
import { startTelemetry } from '@clonecast/platform/telemetry';

startTelemetry('scaling-service');
