import { synthesizeTerraformJson } from './cdktf-gcp-synthesizer';
import { mixedPlan } from './plan.fixture';
it('prints', () => { process.stdout.write(synthesizeTerraformJson(mixedPlan).json); });
