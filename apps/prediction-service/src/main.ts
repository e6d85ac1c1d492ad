import { runService } from '@clonecast/platform/nest';
import { predictionModule } from './app.module';

void runService(predictionModule);
