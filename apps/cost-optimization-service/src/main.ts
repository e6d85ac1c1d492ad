import { runService } from '@clonecast/platform/nest';
import { costOptimizationModule } from './app.module';

void runService(costOptimizationModule);
