import { startService } from '@clonecast/platform/nest';
import { provisioningModule } from './app.module';

startService(provisioningModule);
