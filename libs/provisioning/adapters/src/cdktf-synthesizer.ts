// The only module that knows CDK for Terraform (deprecated by HashiCorp, Dec 2025): pinned versions in
// package.json, and replacing it means reimplementing synthesizeTerraformJson, nothing else.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComputeInstanceGroupManager } from '@cdktf/provider-google/lib/compute-instance-group-manager';
import { ComputeInstanceTemplate } from '@cdktf/provider-google/lib/compute-instance-template';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import type { Cloud } from '@clonecast/contracts';
import type { InfrastructurePlan, InstanceGroup } from '@clonecast/provisioning/domain';
import {
  App,
  propertyAccess,
  Testing,
  Token,
  TerraformDataSource,
  TerraformProvider,
  TerraformResource,
  TerraformStack,
  TerraformVariable,
} from 'cdktf';
import type { Construct } from 'constructs';
import { MissingZoneError } from './errors';

export interface TerraformArtifact {
  /** Terraform JSON configuration (*.tf.json), keys sorted, no cdktf metadata. */
  readonly json: string;
  /** sha256 of `json`, hex: the artifact's content address. */
  readonly sha256: string;
}

const STACK_NAME = 'clonecast';

const GCP_BOOT_IMAGE = 'debian-cloud/debian-12';
const GCP_NETWORK = 'default';

// Debian's official AWS account (wiki.debian.org/Cloud/AmazonEC2Image); its AMIs are named debian-12-<arch>-<date>.
const AWS_DEBIAN_OWNER = '136693071363';

const AZURE_ADMIN_USERNAME = 'clonecast';
const AZURE_IMAGE_PUBLISHER = 'Debian';
const AZURE_IMAGE_OFFER = 'debian-12';

/** A provider used without a prebuilt binding (those for aws and azurerm weigh hundreds of MB each). */
interface RawProviderSpec {
  readonly name: string;
  readonly source: string;
  readonly version: string;
  readonly versionConstraint: string;
}

// Exact pins, the versions the last cdktf 0.21 prebuilt bindings target (as google 6.50.0 does).
const AWS: RawProviderSpec = { name: 'aws', source: 'hashicorp/aws', version: '6.25.0', versionConstraint: '~> 6.0' };
const AZURERM: RawProviderSpec = { name: 'azurerm', source: 'hashicorp/azurerm', version: '4.55.0', versionConstraint: '~> 4.0' };

/** A Terraform JSON value; tokens (references, variables) are strings until synthesis resolves them. */
type TerraformValue = string | number | boolean | readonly TerraformValue[] | { readonly [name: string]: TerraformValue };
type TerraformAttributes = Readonly<Record<string, TerraformValue>>;

type CpuArchitecture = 'amd64' | 'arm64';

/** Builds the plan as a cdktf stack in memory and returns its Terraform JSON. */
export function synthesizeTerraformJson(plan: InfrastructurePlan): TerraformArtifact {
  // cdktf's App always creates <outdir>/stacks; a throwaway dir keeps it out of the repo and shared /tmp.
  const outdir = mkdtempSync(join(tmpdir(), 'clonecast-cdktf-'));
  try {
    return synthesizeStack(plan, outdir);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function synthesizeStack(plan: InfrastructurePlan, outdir: string): TerraformArtifact {
  // app.synth() is never called: the JSON is rendered in memory below.
  const app = new App({ outdir, stackTraces: false });
  const stack = new TerraformStack(app, STACK_NAME);

  // Each cloud only adds its providers and variables when the plan uses it.
  const groups = groupsByCloud(plan.groups);
  if (groups.gcp.length > 0) addGcpGroups(stack, groups.gcp);
  if (groups.aws.length > 0) addAwsGroups(stack, groups.aws);
  if (groups.azure.length > 0) addAzureGroups(stack, groups.azure);

  // Testing.synth is cdktf's public in-memory synthesis: validates, sorts keys, strips the "//" metadata
  // (cdktf version, construct paths), which makes the JSON a function of the plan alone.
  const json = `${Testing.synth(stack, true)}\n`;
  return { json, sha256: createHash('sha256').update(json).digest('hex') };
}

// A Record over Cloud: a new cloud in the contract fails to compile here until it has an adapter.
function groupsByCloud(groups: readonly InstanceGroup[]): Record<Cloud, InstanceGroup[]> {
  const byCloud: Record<Cloud, InstanceGroup[]> = { aws: [], azure: [], gcp: [] };
  for (const group of groups) byCloud[group.cloud].push(group);
  return byCloud;
}

/** Per group: an instance template and a zonal managed instance group on the project's default network. */
function addGcpGroups(stack: TerraformStack, groups: readonly InstanceGroup[]): void {
  const project = new TerraformVariable(stack, 'gcp_project', {
    type: 'string',
    description: 'GCP project that hosts the clone',
  });
  new GoogleProvider(stack, 'google', {
    project: project.stringValue,
    // Default only: every managed group names its zone.
    region: groups[0]?.region,
  });

  for (const group of groups) {
    const zone = zoneOf(group);
    const template = new ComputeInstanceTemplate(stack, `${group.name}-template`, {
      // Templates are immutable: a prefix lets Terraform create the replacement before destroying the old one.
      namePrefix: `${group.name}-`,
      lifecycle: { createBeforeDestroy: true },
      machineType: group.instanceType,
      labels: { ...group.labels },
      disk: [{ boot: true, autoDelete: true, sourceImage: GCP_BOOT_IMAGE }],
      networkInterface: [{ network: GCP_NETWORK }],
      scheduling: group.spot
        ? { provisioningModel: 'SPOT', preemptible: true, automaticRestart: false, onHostMaintenance: 'TERMINATE' }
        : { provisioningModel: 'STANDARD', preemptible: false },
    });
    new ComputeInstanceGroupManager(stack, `${group.name}-group`, {
      name: group.name,
      baseInstanceName: group.name,
      zone,
      targetSize: group.size,
      version: [{ name: 'primary', instanceTemplate: template.selfLinkUnique }],
      // Apply returns once instances run, so "ready" means ready.
      waitForInstances: true,
      waitForInstancesStatus: 'STABLE',
    });
  }
}

/**
 * Per group: a launch template and a fixed-size auto scaling group in the group's zone. Placing by
 * availability zone uses the region's default VPC and subnets, as GCP uses the "default" network.
 * One aws provider per region, aliased by the region name: an aws provider is bound to one region.
 */
function addAwsGroups(stack: TerraformStack, groups: readonly InstanceGroup[]): void {
  const providers = new Map<string, RawProvider>();
  const images = new Map<string, string>();

  for (const group of groups) {
    const zone = zoneOf(group);
    const provider = getOrCreate(providers, group.region, () => {
      const regional = new RawProvider(stack, `aws-${group.region}`, AWS, group.region);
      regional.addOverride('region', group.region);
      return regional;
    });
    const architecture = awsArchitectureOf(group.instanceType);
    const imageId = getOrCreate(images, `${group.region}/${architecture}`, () =>
      debianAmiId(stack, provider, group.region, architecture),
    );

    const tags = { ...group.labels };
    const template = rawResource(stack, `${group.name}-launch-template`, 'aws_launch_template', provider, {
      name: group.name,
      image_id: imageId,
      instance_type: group.instanceType,
      tags,
      tag_specifications: [
        { resource_type: 'instance', tags },
        { resource_type: 'volume', tags },
      ],
      // One-time spot requests (the default) are the only kind an auto scaling group accepts.
      ...(group.spot ? { instance_market_options: { market_type: 'spot' } } : {}),
    });
    rawResource(stack, `${group.name}-autoscaling-group`, 'aws_autoscaling_group', provider, {
      name: group.name,
      availability_zones: [zone],
      desired_capacity: group.size,
      min_size: group.size,
      max_size: group.size,
      // $Latest: a changed template applies to the next instances launched without touching the group.
      launch_template: { id: template.getStringAttribute('id'), version: '$Latest' },
      tag: Object.entries(tags).map(([key, value]) => ({ key, value, propagate_at_launch: false })),
    });
  }
}

/** The newest official Debian 12 AMI of the region; AMI ids differ per region and architecture. */
function debianAmiId(stack: TerraformStack, provider: RawProvider, region: string, architecture: CpuArchitecture): string {
  const ami = rawDataSource(stack, `debian-12-${architecture}-${region}`, 'aws_ami', provider, {
    most_recent: true,
    owners: [AWS_DEBIAN_OWNER],
    filter: [{ name: 'name', values: [`debian-12-${architecture}-*`] }],
  });
  return ami.getStringAttribute('id');
}

// Graviton families carry a "g" right after the generation digit (t4g, m7g, c7gn, x2gd); a1 predates that.
function awsArchitectureOf(instanceType: string): CpuArchitecture {
  const family = instanceType.split('.')[0] ?? '';
  return family === 'a1' || /^[a-z]+\d+g/.test(family) ? 'arm64' : 'amd64';
}

/**
 * Per region: a resource group for the clone; per group: a Linux scale set with a fixed instance count.
 * Subscription, SSH key and subnets are variables: a clone joins networks that exist, it does not make them.
 */
function addAzureGroups(stack: TerraformStack, groups: readonly InstanceGroup[]): void {
  const subscription = new TerraformVariable(stack, 'azure_subscription_id', {
    type: 'string',
    description: 'Azure subscription that hosts the clone',
  });
  const sshPublicKey = new TerraformVariable(stack, 'azure_admin_ssh_public_key', {
    type: 'string',
    description: `SSH public key of the "${AZURE_ADMIN_USERNAME}" admin user on every Azure instance`,
  });
  const subnetIds = new TerraformVariable(stack, 'azure_subnet_ids', {
    type: 'map(string)',
    description: 'Subnet id per Azure region of the clone, keyed by region name (e.g. westeurope)',
  });
  const provider = new RawProvider(stack, 'azurerm', AZURERM);
  // azurerm requires the features block even when empty.
  provider.addOverride('features', {});
  provider.addOverride('subscription_id', subscription.stringValue);

  const resourceGroups = new Map<string, TerraformResource>();
  for (const group of groups) {
    const resourceGroup = getOrCreate(resourceGroups, group.region, () =>
      rawResource(stack, `clone-${group.region}`, 'azurerm_resource_group', provider, {
        // Labels are plan-wide, so the account label names the clone; sanitised and <= 63 chars, within Azure's 90.
        name: `cc-${group.labels['clonecast-account']}-${group.region}`,
        location: group.region,
        tags: { ...group.labels },
      }),
    );

    rawResource(stack, `${group.name}-scale-set`, 'azurerm_linux_virtual_machine_scale_set', provider, {
      name: group.name,
      resource_group_name: resourceGroup.getStringAttribute('name'),
      location: resourceGroup.getStringAttribute('location'),
      sku: group.instanceType,
      instances: group.size,
      admin_username: AZURE_ADMIN_USERNAME,
      admin_ssh_key: [{ username: AZURE_ADMIN_USERNAME, public_key: sshPublicKey.stringValue }],
      source_image_reference: {
        publisher: AZURE_IMAGE_PUBLISHER,
        offer: AZURE_IMAGE_OFFER,
        // Generation 2 images: current sizes support them and some (all Arm ones) support nothing else.
        sku: azureArchitectureOf(group.instanceType) === 'arm64' ? '12-arm64' : '12-gen2',
        version: 'latest',
      },
      os_disk: { caching: 'ReadWrite', storage_account_type: 'Standard_LRS' },
      network_interface: [
        {
          name: 'primary',
          primary: true,
          ip_configuration: [
            { name: 'primary', primary: true, subnet_id: Token.asString(propertyAccess(subnetIds.value, [group.region])) },
          ],
        },
      ],
      // Azure rejects an eviction policy on regular instances.
      ...(group.spot ? { priority: 'Spot', eviction_policy: 'Delete' } : { priority: 'Regular' }),
      tags: { ...group.labels },
    });
  }
}

// Azure marks Arm sizes with a "p" among the lowercase features after the vCPU count (D4ps_v5, E8pds_v5).
function azureArchitectureOf(vmSize: string): CpuArchitecture {
  const features = /^Standard_[A-Z]+\d+(?:-\d+)?([a-z]*)/.exec(vmSize)?.[1] ?? '';
  return features.includes('p') ? 'arm64' : 'amd64';
}

function getOrCreate<V>(map: Map<string, V>, key: string, create: () => V): V {
  const existing = map.get(key);
  if (existing !== undefined) return existing;
  const created = create();
  map.set(key, created);
  return created;
}

function zoneOf(group: InstanceGroup): string {
  if (group.zone === null) throw new MissingZoneError(group.name, group.cloud);
  return group.zone;
}

/**
 * cdktf's escape hatch for a provider without a binding: TerraformProvider carries the name, source and
 * pinned version into required_providers, and attributes are set with addOverride. The alias accessor is
 * what generated providers override too: it names the provider in resources' `provider` references.
 */
class RawProvider extends TerraformProvider {
  constructor(
    scope: Construct,
    id: string,
    spec: RawProviderSpec,
    private readonly providerAlias?: string,
  ) {
    super(scope, id, {
      terraformResourceType: spec.name,
      terraformProviderSource: spec.source,
      terraformGeneratorMetadata: {
        providerName: spec.name,
        providerVersion: spec.version,
        providerVersionConstraint: spec.versionConstraint,
      },
    });
  }

  override get alias(): string | undefined {
    return this.providerAlias;
  }
}

/** A resource without a binding: attributes are written as given, in the provider's own snake_case. */
function rawResource(
  scope: Construct,
  id: string,
  type: string,
  provider: RawProvider,
  attributes: TerraformAttributes,
): TerraformResource {
  const resource = new TerraformResource(scope, id, {
    terraformResourceType: type,
    terraformGeneratorMetadata: { providerName: provider.terraformResourceType },
    provider,
  });
  for (const [name, value] of Object.entries(attributes)) resource.addOverride(name, value);
  return resource;
}

function rawDataSource(
  scope: Construct,
  id: string,
  type: string,
  provider: RawProvider,
  attributes: TerraformAttributes,
): TerraformDataSource {
  const dataSource = new TerraformDataSource(scope, id, {
    terraformResourceType: type,
    terraformGeneratorMetadata: { providerName: provider.terraformResourceType },
    provider,
  });
  for (const [name, value] of Object.entries(attributes)) dataSource.addOverride(name, value);
  return dataSource;
}
