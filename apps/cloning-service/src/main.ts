import { startService } from '@clonecast/platform/nest';
import { cloningModule } from './app.module';

startService(cloningModule);
