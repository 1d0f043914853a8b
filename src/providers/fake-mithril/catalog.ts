/**
 * What the fake market sells: the instance types (specs as GET
 * /v2/instance-types gives them, names as the API writes them), their
 * minimum and reference prices, and the ids. As on the real API, one type has
 * a fid of its own in each region; fids are derived from the name and region,
 * so they are the same in every run of the emulator.
 */
import { createHash } from 'node:crypto';
import type { InstanceTypeModel } from '../mithril/schemas.js';

export interface CatalogType {
  name: string;
  spec: Omit<InstanceTypeModel, 'fid' | 'name'>;
  /** the lowest limit price accepted, per instance-hour */
  minimumCents: number;
  /** the reserved price shown beside the spot price */
  reservedCents: number;
  /** where synthetic demand puts its limits (about this, per instance-hour) */
  referenceCents: number;
}

const gpuBox = (gpus: number, gpu: string, mem: number, socket: string, perGpu: { min: number; ref: number; res: number }, cpus: number, ram: number, disk: number, ib: boolean): Omit<CatalogType, 'name'> => ({
  spec: {
    num_cpus: cpus, cpu_type: 'Intel', ram_gb: ram, num_gpus: gpus, gpu_type: gpu, gpu_memory_gb: mem, gpu_socket: socket,
    local_storage_gb: disk, network_type: ib ? 'InfiniBand' : 'Ethernet', ib_count: ib ? gpus : 0, bridge_count: ib ? gpus / 2 : 0,
  },
  minimumCents: perGpu.min * gpus,
  referenceCents: perGpu.ref * gpus,
  reservedCents: perGpu.res * gpus,
});

const A100 = { min: 50, ref: 150, res: 180 };
const H100 = { min: 100, ref: 250, res: 300 };

export const CATALOG: readonly CatalogType[] = [
  { name: 'a100-80gb.sxm.1x', ...gpuBox(1, 'A100', 80, 'SXM4', A100, 30, 225, 1000, false) },
  { name: 'a100-80gb.sxm.2x', ...gpuBox(2, 'A100', 80, 'SXM4', A100, 60, 450, 2000, false) },
  { name: 'a100-80gb.sxm.4x', ...gpuBox(4, 'A100', 80, 'SXM4', A100, 120, 900, 4000, false) },
  { name: 'a100-80gb.sxm.8x', ...gpuBox(8, 'A100', 80, 'SXM4', A100, 240, 1800, 7800, true) },
  { name: 'h100-80gb.sxm.8x', ...gpuBox(8, 'H100', 80, 'SXM5', H100, 192, 1800, 7800, true) },
  { name: 'h200-141gb.sxm.8x', ...gpuBox(8, 'H200', 141, 'SXM5', { min: 120, ref: 300, res: 360 }, 192, 2000, 7800, true) },
  { name: 'b200-192gb.8x', ...gpuBox(8, 'B200', 192, 'SXM6', { min: 200, ref: 450, res: 550 }, 224, 2900, 15000, true) },
];

export const REGIONS = ['us-central1-a', 'us-central1-b', 'us-central2-a', 'eu-central1-a', 'eu-central1-b', 'me-central1-a'] as const;

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** 16 base-62 characters from a hash of the text: a stable id. */
export function stableId(prefix: string, text: string): string {
  const h = createHash('sha256').update(text).digest();
  let s = '';
  for (let i = 0; i < 16; i++) s += ALPHABET[h[i]! % 62];
  return `${prefix}${s}`;
}

export const typeFid = (name: string, region: string) => stableId('it_', `${name}@${region}`);
export const auctionFid = (name: string, region: string) => stableId('auc_', `${name}@${region}`);
