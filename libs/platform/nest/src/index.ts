export * from './tokens';
export * from './metrics';
export * from './readiness';
export * from './platform.module';
export * from './kafka-event.transport';
export * from './rethrow.filter';
export * from './run-service';
export * from './envelope-follower';
