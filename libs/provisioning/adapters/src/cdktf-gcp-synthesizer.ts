// The only module that knows CDK for Terraform (deprecated by HashiCorp, Dec 2025): pinned versions in
// package.json, and replacing it means reimplementing synthesizeTerraformJson, nothing else.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComputeInstanceGroupManager } from '@cdktf/provider-google/lib/compute-instance-group-manager';
import { ComputeInstanceTemplate } from '@cdktf/provider-google/lib/compute-instance-template';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { UnsupportedCloudError, type InfrastructurePlan, type InstanceGroup } from '@clonecast/provisioning/domain';
import { App, TerraformStack, TerraformVariable, Testing } from 'cdktf';

export interface TerraformArtifact {
  /** Terraform JSON configuration (*.tf.json), keys sorted, no cdktf metadata. */
  readonly json: string;
  /** sha256 of `json`, hex: the artifact's content address. */
  readonly sha256: string;
}

const ADAPTER = 'cdktf-gcp';
const STACK_NAME = 'clonecast';
const BOOT_IMAGE = 'debian-cloud/debian-12';
const NETWORK = 'default';

/** Builds the plan as a cdktf stack in memory and returns its Terraform JSON. */
export function synthesizeTerraformJson(plan: InfrastructurePlan): TerraformArtifact {
  // Reject the whole plan: a partial artifact would silently under-provision the clone.
  const placed = plan.groups.map((group) => ({ group, zone: gcpZoneOf(group) }));
  // cdktf's App always creates <outdir>/stacks; a throwaway dir keeps it out of the repo and shared /tmp.
  const outdir = mkdtempSync(join(tmpdir(), 'clonecast-cdktf-'));
  try {
    return synthesizeStack(placed, outdir);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

interface PlacedGroup {
  readonly group: InstanceGroup;
  readonly zone: string;
}

function synthesizeStack(placed: readonly PlacedGroup[], outdir: string): TerraformArtifact {
  // app.synth() is never called: the JSON is rendered in memory below.
  const app = new App({ outdir, stackTraces: false });
  const stack = new TerraformStack(app, STACK_NAME);
  const project = new TerraformVariable(stack, 'gcp_project', {
    type: 'string',
    description: 'GCP project that hosts the clone',
  });
  new GoogleProvider(stack, 'google', {
    project: project.stringValue,
    // Default only: every managed group names its zone.
    region: placed[0]?.group.region,
  });

  for (const { group, zone } of placed) {
    const template = new ComputeInstanceTemplate(stack, `${group.name}-template`, {
      // Templates are immutable: a prefix lets Terraform create the replacement before destroying the old one.
      namePrefix: `${group.name}-`,
      lifecycle: { createBeforeDestroy: true },
      machineType: group.instanceType,
      labels: { ...group.labels },
      disk: [{ boot: true, autoDelete: true, sourceImage: BOOT_IMAGE }],
      networkInterface: [{ network: NETWORK }],
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

  // Testing.synth is cdktf's public in-memory synthesis: validates, sorts keys, strips the "//" metadata
  // (cdktf version, construct paths), which makes the JSON a function of the plan alone.
  const json = `${Testing.synth(stack, true)}\n`;
  return { json, sha256: createHash('sha256').update(json).digest('hex') };
}

function gcpZoneOf(group: InstanceGroup): string {
  if (group.cloud !== 'gcp' || group.zone === null) throw new UnsupportedCloudError(group.cloud, group.name, ADAPTER);
  return group.zone;
}
