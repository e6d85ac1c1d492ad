import { runService } from '@clonecast/platform/nest';
import { scalingModule } from './app.module';

void runService(scalingModule);
