import { runService } from '@clonecast/platform/nest';
import { provisioningModule } from './app.module';

void runService(provisioningModule);
