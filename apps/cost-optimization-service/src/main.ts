import { startService } from '@clonecast/platform/nest';
import { costOptimizationModule } from './app.module';

startService(costOptimizationModule);
