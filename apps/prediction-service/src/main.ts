import { startService } from '@clonecast/platform/nest';
import { predictionModule } from './app.module';

startService(predictionModule);
