export * from './errors';
export { ConfigurationHistory, planRestore } from './configuration-history';
export {
  applySagaEvent,
  SagaBook,
  SAGA_STAGES,
  type CloneSagaState,
  type SagaEvent,
  type SagaEventType,
  type SagaFailure,
  type SagaStage,
  type SagaStatus,
} from './clone-saga';
