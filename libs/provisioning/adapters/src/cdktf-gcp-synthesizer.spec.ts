import { resize, UnsupportedCloudError } from '@clonecast/provisioning/domain';
import { existsSync } from 'node:fs';
import { synthesizeTerraformJson } from './cdktf-gcp-synthesizer';
import { allocation, groupOf, mixedPlan, planOf } from './plan.fixture';

interface TerraformJson {
  provider: { google: Array<{ project: string; region: string }> };
  terraform: { required_providers: { google: { version: string } } };
  variable: Record<string, unknown>;
  resource: {
    google_compute_instance_template: Record<string, Record<string, unknown>>;
    google_compute_instance_group_manager: Record<string, Record<string, unknown>>;
  };
}

function parse(json: string): TerraformJson {
  return JSON.parse(json) as TerraformJson;
}

describe('synthesizeTerraformJson', () => {
  const onDemand = groupOf(mixedPlan, 'on-demand');
  const spot = groupOf(mixedPlan, 'spot');
  const { json, sha256 } = synthesizeTerraformJson(mixedPlan);
  const tf = parse(json);

  it('configures a pinned google provider with the project as a variable', () => {
    expect(tf.provider.google).toEqual([{ project: '${var.gcp_project}', region: 'europe-west1' }]);
    expect(tf.variable).toHaveProperty('gcp_project');
    expect(tf.terraform.required_providers.google.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('creates one instance template and one zonal managed group per instance group', () => {
    const templates = tf.resource.google_compute_instance_template;
    const managers = Object.values(tf.resource.google_compute_instance_group_manager);
    expect(Object.keys(templates)).toHaveLength(2);
    expect(managers).toHaveLength(2);

    const onDemandManager = managers.find((m) => m.name === onDemand.name);
    expect(onDemandManager).toMatchObject({
      base_instance_name: onDemand.name,
      zone: 'europe-west1-a',
      target_size: 2,
      version: [{ name: 'primary', instance_template: expect.stringMatching(/^\$\{google_compute_instance_template\..+\.self_link_unique\}$/) }],
    });
  });

  it('builds templates with machine type, public boot image, default network and labels', () => {
    const template = Object.values(tf.resource.google_compute_instance_template).find((t) => t.machine_type === 'n2-standard-4');
    expect(template).toMatchObject({
      name_prefix: `${onDemand.name}-`,
      disk: [{ boot: true, auto_delete: true, source_image: 'debian-cloud/debian-12' }],
      network_interface: [{ network: 'default' }],
      scheduling: { provisioning_model: 'STANDARD', preemptible: false },
      labels: { 'clonecast-account': 'shop-clone', 'clonecast-request': 'req-1', 'clonecast-source': 'shop-prod' },
    });
  });

  it('schedules spot groups as SPOT and preemptible', () => {
    const manager = Object.values(tf.resource.google_compute_instance_group_manager).find((m) => m.name === spot.name);
    const template = Object.values(tf.resource.google_compute_instance_template).find((t) => t.machine_type === 'e2-standard-2');
    expect(manager?.target_size).toBe(3);
    expect(template?.scheduling).toEqual({
      provisioning_model: 'SPOT',
      preemptible: true,
      automatic_restart: false,
      on_host_maintenance: 'TERMINATE',
    });
  });

  it('is deterministic: the same plan gives the same bytes and sha256', () => {
    const again = synthesizeTerraformJson(planOf([allocation({ pricingModel: 'spot', instanceType: 'e2-standard-2', quantity: 3 }), allocation()]));
    expect(again.json).toBe(json);
    expect(again.sha256).toBe(sha256);
    expect(sha256).toMatch(/^[a-f0-9]{64}$/);
  });

  it('gives a resized plan a different content address', () => {
    const resized = synthesizeTerraformJson(resize(mixedPlan, spot.name, 5));
    expect(resized.sha256).not.toBe(sha256);
    const manager = Object.values(parse(resized.json).resource.google_compute_instance_group_manager).find((m) => m.name === spot.name);
    expect(manager?.target_size).toBe(5);
  });

  it('rejects plans with groups on other clouds, naming the cloud', () => {
    const plan = planOf([allocation(), allocation({ cloud: 'aws', region: 'eu-west-1', instanceType: 'm6i.xlarge' })]);
    expect(() => synthesizeTerraformJson(plan)).toThrow(UnsupportedCloudError);
    expect(() => synthesizeTerraformJson(plan)).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_CLOUD', cloud: 'aws', message: expect.stringContaining('"aws"') }),
    );
  });

  it('leaves no cdktf output directory in the working directory', () => {
    expect(existsSync('cdktf.out')).toBe(false);
  });
});
