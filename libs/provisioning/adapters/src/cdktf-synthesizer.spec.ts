import { resize, type InfrastructurePlan } from '@clonecast/provisioning/domain';
import { existsSync } from 'node:fs';
import { synthesizeTerraformJson } from './cdktf-synthesizer';
import { MissingZoneError } from './errors';
import { allocation, groupOf, mixedPlan, multiCloudAllocations, multiCloudPlan, planOf } from './plan.fixture';

type Block = Record<string, unknown>;

interface TerraformJson {
  provider: Record<string, Block[]>;
  terraform: { required_providers: Record<string, { source: string; version: string }> };
  variable: Record<string, Block>;
  data?: Record<string, Record<string, Block>>;
  resource: Record<string, Record<string, Block>>;
}

function parse(json: string): TerraformJson {
  return JSON.parse(json) as TerraformJson;
}

function resourcesOf(tf: TerraformJson, type: string): Block[] {
  return Object.values(tf.resource[type] ?? {});
}

function named(tf: TerraformJson, type: string, name: string): Block | undefined {
  return resourcesOf(tf, type).find((r) => r.name === name);
}

function groupNamed(plan: InfrastructurePlan, cloud: string, region: string): string {
  const group = plan.groups.find((g) => g.cloud === cloud && g.region === region);
  if (!group) throw new Error(`plan has no ${cloud} group in ${region}`);
  return group.name;
}

const labels = { 'clonecast-account': 'shop-clone', 'clonecast-request': 'req-1', 'clonecast-source': 'shop-prod' };

describe('synthesizeTerraformJson on GCP', () => {
  const onDemand = groupOf(mixedPlan, 'on-demand');
  const spot = groupOf(mixedPlan, 'spot');
  const { json, sha256 } = synthesizeTerraformJson(mixedPlan);
  const tf = parse(json);

  it('configures a pinned google provider with the project as a variable, and no other cloud', () => {
    expect(tf.provider).toEqual({ google: [{ project: '${var.gcp_project}', region: 'europe-west1' }] });
    expect(Object.keys(tf.variable)).toEqual(['gcp_project']);
    expect(Object.keys(tf.terraform.required_providers)).toEqual(['google']);
    expect(tf.terraform.required_providers.google?.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('creates one instance template and one zonal managed group per instance group', () => {
    const templates = resourcesOf(tf, 'google_compute_instance_template');
    const managers = resourcesOf(tf, 'google_compute_instance_group_manager');
    expect(templates).toHaveLength(2);
    expect(managers).toHaveLength(2);

    expect(named(tf, 'google_compute_instance_group_manager', onDemand.name)).toMatchObject({
      base_instance_name: onDemand.name,
      zone: 'europe-west1-a',
      target_size: 2,
      version: [{ name: 'primary', instance_template: expect.stringMatching(/^\$\{google_compute_instance_template\..+\.self_link_unique\}$/) }],
    });
  });

  it('builds templates with machine type, public boot image, default network and labels', () => {
    const template = resourcesOf(tf, 'google_compute_instance_template').find((t) => t.machine_type === 'n2-standard-4');
    expect(template).toMatchObject({
      name_prefix: `${onDemand.name}-`,
      disk: [{ boot: true, auto_delete: true, source_image: 'debian-cloud/debian-12' }],
      network_interface: [{ network: 'default' }],
      scheduling: { provisioning_model: 'STANDARD', preemptible: false },
      labels,
    });
  });

  it('schedules spot groups as SPOT and preemptible', () => {
    const template = resourcesOf(tf, 'google_compute_instance_template').find((t) => t.machine_type === 'e2-standard-2');
    expect(named(tf, 'google_compute_instance_group_manager', spot.name)?.target_size).toBe(3);
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
    expect(named(parse(resized.json), 'google_compute_instance_group_manager', spot.name)?.target_size).toBe(5);
  });

  it('rejects a GCP group without a zone, naming the group', () => {
    const unplaced: InfrastructurePlan = { ...mixedPlan, groups: mixedPlan.groups.map((g) => (g.name === spot.name ? { ...g, zone: null } : g)) };
    expect(() => synthesizeTerraformJson(unplaced)).toThrow(MissingZoneError);
    expect(() => synthesizeTerraformJson(unplaced)).toThrow(expect.objectContaining({ code: 'MISSING_ZONE', cloud: 'gcp', groupName: spot.name }));
  });

  it('leaves no cdktf output directory in the working directory', () => {
    expect(existsSync('cdktf.out')).toBe(false);
  });
});

describe('synthesizeTerraformJson on GCP, AWS and Azure', () => {
  const { json, sha256 } = synthesizeTerraformJson(multiCloudPlan);
  const tf = parse(json);
  const awsSpot = groupNamed(multiCloudPlan, 'aws', 'eu-west-1');
  const awsOnDemand = groupNamed(multiCloudPlan, 'aws', 'us-east-1');
  const azure = groupNamed(multiCloudPlan, 'azure', 'westeurope');

  it('requires all three providers from the registry, at exact versions', () => {
    const required = tf.terraform.required_providers;
    expect(Object.keys(required).sort()).toEqual(['aws', 'azurerm', 'google']);
    expect(required.aws).toEqual({ source: 'hashicorp/aws', version: expect.stringMatching(/^6\.\d+\.\d+$/) });
    expect(required.azurerm).toEqual({ source: 'hashicorp/azurerm', version: expect.stringMatching(/^4\.\d+\.\d+$/) });
    expect(required.google?.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('configures one aws provider per region, aliased by the region, and one azurerm provider', () => {
    expect(tf.provider.aws).toEqual([
      { alias: 'eu-west-1', region: 'eu-west-1' },
      { alias: 'us-east-1', region: 'us-east-1' },
    ]);
    expect(tf.provider.azurerm).toEqual([{ features: {}, subscription_id: '${var.azure_subscription_id}' }]);
    expect(tf.provider.google).toEqual([{ project: '${var.gcp_project}', region: 'europe-west1' }]);
    expect(Object.keys(tf.variable).sort()).toEqual(['azure_admin_ssh_public_key', 'azure_subnet_ids', 'azure_subscription_id', 'gcp_project']);
  });

  it('keeps the GCP group as a template and managed group', () => {
    expect(resourcesOf(tf, 'google_compute_instance_template')).toHaveLength(1);
    expect(resourcesOf(tf, 'google_compute_instance_group_manager')).toEqual([expect.objectContaining({ zone: 'europe-west1-a', target_size: 2 })]);
  });

  it('builds an AWS launch template per group on the regional Debian 12 AMI of its architecture', () => {
    expect(resourcesOf(tf, 'aws_launch_template')).toHaveLength(2);
    expect(named(tf, 'aws_launch_template', awsOnDemand)).toEqual({
      name: awsOnDemand,
      provider: 'aws.us-east-1',
      instance_type: 'm6i.xlarge',
      image_id: '${data.aws_ami.debian-12-amd64-us-east-1.id}',
      tags: labels,
      tag_specifications: [
        { resource_type: 'instance', tags: labels },
        { resource_type: 'volume', tags: labels },
      ],
    });
    expect(tf.data?.aws_ami?.['debian-12-amd64-us-east-1']).toEqual({
      provider: 'aws.us-east-1',
      most_recent: true,
      owners: ['136693071363'],
      filter: [{ name: 'name', values: ['debian-12-amd64-*'] }],
    });
    // m7g is Graviton: an amd64 image would not boot.
    expect(named(tf, 'aws_launch_template', awsSpot)?.image_id).toBe('${data.aws_ami.debian-12-arm64-eu-west-1.id}');
    expect(tf.data?.aws_ami?.['debian-12-arm64-eu-west-1']?.filter).toEqual([{ name: 'name', values: ['debian-12-arm64-*'] }]);
  });

  it('requests spot capacity only for the spot group', () => {
    expect(named(tf, 'aws_launch_template', awsSpot)?.instance_market_options).toEqual({ market_type: 'spot' });
    expect(named(tf, 'aws_launch_template', awsOnDemand)).not.toHaveProperty('instance_market_options');
  });

  it('runs each AWS group as a fixed-size auto scaling group in zone a of its region, on the latest template', () => {
    const group = named(tf, 'aws_autoscaling_group', awsSpot);
    expect(group).toMatchObject({
      provider: 'aws.eu-west-1',
      availability_zones: ['eu-west-1a'],
      desired_capacity: 3,
      min_size: 3,
      max_size: 3,
      launch_template: { id: expect.stringMatching(/^\$\{aws_launch_template\..+\.id\}$/), version: '$Latest' },
    });
    expect(group?.tag).toContainEqual({ key: 'clonecast-request', value: 'req-1', propagate_at_launch: false });
    expect(named(tf, 'aws_autoscaling_group', awsOnDemand)).toMatchObject({ provider: 'aws.us-east-1', availability_zones: ['us-east-1a'], desired_capacity: 1 });
  });

  it('puts Azure groups in a resource group per region, as Debian 12 scale sets on a subnet from a variable', () => {
    expect(resourcesOf(tf, 'azurerm_resource_group')).toEqual([
      { name: 'cc-shop-clone-westeurope', location: 'westeurope', provider: 'azurerm', tags: labels },
    ]);
    expect(named(tf, 'azurerm_linux_virtual_machine_scale_set', azure)).toEqual({
      name: azure,
      provider: 'azurerm',
      resource_group_name: expect.stringMatching(/^\$\{azurerm_resource_group\..+\.name\}$/),
      location: expect.stringMatching(/^\$\{azurerm_resource_group\..+\.location\}$/),
      sku: 'Standard_D4s_v5',
      instances: 4,
      priority: 'Regular',
      admin_username: 'clonecast',
      admin_ssh_key: [{ username: 'clonecast', public_key: '${var.azure_admin_ssh_public_key}' }],
      source_image_reference: { publisher: 'Debian', offer: 'debian-12', sku: '12-gen2', version: 'latest' },
      os_disk: { caching: 'ReadWrite', storage_account_type: 'Standard_LRS' },
      network_interface: [
        {
          name: 'primary',
          primary: true,
          ip_configuration: [{ name: 'primary', primary: true, subnet_id: '${var.azure_subnet_ids.westeurope}' }],
        },
      ],
      tags: labels,
    });
  });

  it('is deterministic and independent of allocation order', () => {
    const again = synthesizeTerraformJson(planOf([...multiCloudAllocations].reverse()));
    expect(again.json).toBe(json);
    expect(again.sha256).toBe(sha256);
  });
});

describe('synthesizeTerraformJson on one cloud other than GCP', () => {
  it('gives an AWS-only plan no google provider, project variable or google resources', () => {
    const tf = parse(synthesizeTerraformJson(planOf([allocation({ cloud: 'aws', region: 'eu-central-1', instanceType: 'c7i.large' })])).json);
    expect(Object.keys(tf.provider)).toEqual(['aws']);
    expect(tf.provider.aws).toEqual([{ alias: 'eu-central-1', region: 'eu-central-1' }]);
    expect(Object.keys(tf.terraform.required_providers)).toEqual(['aws']);
    expect(tf.variable).toBeUndefined();
    expect(Object.keys(tf.resource).sort()).toEqual(['aws_autoscaling_group', 'aws_launch_template']);
  });

  it('runs Azure spot groups as Spot with eviction by deletion, on the Arm image for Arm sizes', () => {
    const plan = planOf([allocation({ cloud: 'azure', region: 'northeurope', instanceType: 'Standard_D4ps_v5', pricingModel: 'spot', quantity: 2 })]);
    const tf = parse(synthesizeTerraformJson(plan).json);
    expect(Object.keys(tf.provider)).toEqual(['azurerm']);
    const [scaleSet] = resourcesOf(tf, 'azurerm_linux_virtual_machine_scale_set');
    expect(scaleSet).toMatchObject({
      priority: 'Spot',
      eviction_policy: 'Delete',
      instances: 2,
      source_image_reference: { sku: '12-arm64' },
      network_interface: [{ ip_configuration: [{ subnet_id: '${var.azure_subnet_ids.northeurope}' }] }],
    });
  });

  it('rejects an AWS group without a zone', () => {
    const plan = planOf([allocation({ cloud: 'aws', region: 'eu-west-1', instanceType: 'm6i.xlarge' })]);
    const unplaced: InfrastructurePlan = { ...plan, groups: plan.groups.map((g) => ({ ...g, zone: null })) };
    expect(() => synthesizeTerraformJson(unplaced)).toThrow(expect.objectContaining({ code: 'MISSING_ZONE', cloud: 'aws' }));
  });
});
