import { startService } from '@clonecast/platform/nest';
import { scalingModule } from './app.module';

startService(scalingModule);
