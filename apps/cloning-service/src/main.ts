import { runService } from '@clonecast/platform/nest';
import { cloningModule } from './app.module';

void runService(cloningModule);
