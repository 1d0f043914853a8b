/**
 * The shapes of the Mithril Compute API that we use, written from its OpenAPI
 * document (`mithril-openapi.json`, components/schemas and the paths'
 * parameters). The client parses every response with these; the fake server
 * parses every request with the strict variants, so a field we misspell or a
 * shape that drifts fails loudly on both sides.
 *
 * OpenAPI → zod: a property outside `required` is optional; `nullable: true`
 * also admits null. Response objects are loose (a new field from the real API
 * is ignored); request objects come in both forms: `strict` rejects unknown
 * fields (the fake's view), the plain one is what the client builds.
 */
import * as z from 'zod/mini';

const opt = <T extends z.core.SomeType>(t: T) => z.optional(z.nullable(t));
const str = () => z.string();
const int = () => z.int();

export const INSTANCE_STATUSES = [
  'STATUS_NEW', 'STATUS_CONFIRMED', 'STATUS_INITIALIZING', 'STATUS_STARTING', 'STATUS_RUNNING', 'STATUS_STOPPING',
  'STATUS_TERMINATED', 'STATUS_RELOCATING', 'STATUS_PREEMPTING', 'STATUS_PREEMPTED', 'STATUS_REPLACED', 'STATUS_PAUSED',
  'STATUS_ERROR',
] as const;
export type InstanceStatus = (typeof INSTANCE_STATUSES)[number];

export const BID_STATUSES = ['Open', 'Allocated', 'Preempting', 'Terminated', 'Paused'] as const;
export type BidStatus = (typeof BID_STATUSES)[number];

export const BID_EVENT_TYPES = [
  'Placed', 'Paused', 'Resumed', 'Terminated', 'Allocated', 'Preempted', 'Limit Price Changed', 'Memory Adjusted',
  'Volumes Attached', 'Volumes Removed',
] as const;

// ---- shapes shared by requests and responses (both variants are built from one shape)

const launchSpecificationShape = {
  volumes: z.array(str()),
  ssh_keys: z.array(str()),
  startup_script: opt(str()),
  kubernetes_cluster: opt(str()),
  image_version: opt(str()),
  memory_gb: opt(int()),
};
export const LaunchSpecification = z.object(launchSpecificationShape);
export type LaunchSpecification = z.infer<typeof LaunchSpecification>;

const createBidShape = {
  project: str(),
  region: str(),
  instance_type: str(),
  limit_price: str(),
  instance_quantity: int(),
  name: str(),
  notification_email: opt(str()),
};
export const CreateBidRequest = z.object({ ...createBidShape, launch_specification: LaunchSpecification });
export type CreateBidRequest = z.infer<typeof CreateBidRequest>;

const updateBidShape = {
  limit_price: opt(str()),
  paused: opt(z.boolean()),
  volumes: opt(z.array(str())),
  memory_gb: opt(int()),
};
export const UpdateBidRequest = z.object(updateBidShape);
export type UpdateBidRequest = z.infer<typeof UpdateBidRequest>;

const createSshKeyShape = {
  project: str(),
  name: str(),
  public_key: opt(str()),
  required: z.optional(z.boolean()),
};
export const CreateSshKeyRequest = z.object(createSshKeyShape);
export type CreateSshKeyRequest = z.infer<typeof CreateSshKeyRequest>;

/** The request bodies as the fake server reads them: unknown fields are refused. */
export const strict = {
  CreateBidRequest: z.strictObject({ ...createBidShape, launch_specification: z.strictObject(launchSpecificationShape) }),
  UpdateBidRequest: z.strictObject(updateBidShape),
  CreateSshKeyRequest: z.strictObject(createSshKeyShape),
};

// ---- responses

export const ProjectModel = z.object({ fid: str(), name: str(), created_at: str() });
export type ProjectModel = z.infer<typeof ProjectModel>;

export const MeResponse = z.object({
  id: str(), fid: str(), email: str(), user_name: opt(str()), organization_id: str(), organization_role: opt(str()),
});
export type MeResponse = z.infer<typeof MeResponse>;

export const InstanceTypeModel = z.object({
  fid: str(),
  name: str(),
  num_cpus: int(),
  cpu_type: str(),
  ram_gb: int(),
  num_gpus: int(),
  gpu_type: str(),
  gpu_memory_gb: int(),
  gpu_socket: str(),
  local_storage_gb: int(),
  network_type: opt(str()),
  ib_count: int(),
  bridge_count: int(),
});
export type InstanceTypeModel = z.infer<typeof InstanceTypeModel>;

export const AuctionModel = z.object({
  fid: str(),
  instance_type: str(),
  region: str(),
  capacity: int(),
  last_instance_price: str(),
  lowest_allocated_price: opt(str()),
  adjustable_memory: z.boolean(),
  default_image_version: opt(str()),
});
export type AuctionModel = z.infer<typeof AuctionModel>;

export const BidModel = z.object({
  fid: str(),
  name: str(),
  project: str(),
  created_by: str(),
  created_at: str(),
  deactivated_at: opt(str()),
  limit_price: str(),
  instance_quantity: int(),
  instance_type: str(),
  region: opt(str()),
  instances: z.array(str()),
  launch_specification: LaunchSpecification,
  status: z.enum(BID_STATUSES),
});
export type BidModel = z.infer<typeof BidModel>;

export const GetBidsResponse = z.object({ data: z.array(BidModel), next_cursor: opt(str()) });
export type GetBidsResponse = z.infer<typeof GetBidsResponse>;

export const BidStatusResponse = z.object({ bid_fid: str(), status: z.enum([...BID_STATUSES, 'Relocating']) });
export type BidStatusResponse = z.infer<typeof BidStatusResponse>;

export const BidHistoryEventModel = z.object({
  timestamp: str(),
  event_type: z.enum(BID_EVENT_TYPES),
  limit_price: opt(str()),
  user_id: opt(str()),
  memory_gb: opt(int()),
  persistent_disk_change: opt(z.object({ attached: opt(str()), removed: opt(str()) })),
});
export type BidHistoryEventModel = z.infer<typeof BidHistoryEventModel>;
export const BidHistoryResponse = z.object({ bid_fid: str(), events: z.array(BidHistoryEventModel) });
export type BidHistoryResponse = z.infer<typeof BidHistoryResponse>;

export const InstanceModel = z.object({
  fid: str(),
  name: str(),
  project: str(),
  created_at: str(),
  created_by: str(),
  instance_type: str(),
  region: opt(str()),
  bid: opt(str()),
  reservation: opt(str()),
  ssh_destination: opt(str()),
  private_ip: opt(str()),
  status: z.enum(INSTANCE_STATUSES),
});
export type InstanceModel = z.infer<typeof InstanceModel>;

export const GetInstancesResponse = z.object({ data: z.array(InstanceModel), next_cursor: opt(str()) });
export type GetInstancesResponse = z.infer<typeof GetInstancesResponse>;

export const InstanceStatusResponse = z.object({
  fid: str(), name: str(), status: z.enum(INSTANCE_STATUSES), bid: opt(str()), reservation: opt(str()), end_time: opt(str()),
});
export type InstanceStatusResponse = z.infer<typeof InstanceStatusResponse>;

export const NewSshKeyModel = z.object({
  fid: str(), name: str(), project: str(), public_key: str(), created_at: str(), required: z.boolean(),
});
export type NewSshKeyModel = z.infer<typeof NewSshKeyModel>;
export const CreatedSshKeyModel = z.object({
  fid: str(), name: str(), project: str(), public_key: str(), created_at: str(), required: z.boolean(), private_key: opt(str()),
});
export type CreatedSshKeyModel = z.infer<typeof CreatedSshKeyModel>;

export const CurrentPricesResponse = z.object({
  spot_price_cents: opt(int()),
  reserved_price_cents: opt(int()),
  minimum_price_cents: opt(int()),
  lowest_allocated_bid_cents: opt(int()),
  dynamic_win_price_cents: opt(int()),
  available_capacity: opt(int()),
  total_capacity: opt(int()),
});
export type CurrentPricesResponse = z.infer<typeof CurrentPricesResponse>;

export const HistoricalPriceSeriesModel = z.object({
  instance_type: str(),
  region: str(),
  timestamps: z.array(str()),
  spot_prices: z.array(str()),
  reserved_prices: z.array(str()),
  region_disabled: z.optional(z.boolean()),
});
export const HistoricalPricesResponseModel = z.object({ series: z.array(HistoricalPriceSeriesModel), complete: z.optional(z.boolean()) });
export type HistoricalPricesResponseModel = z.infer<typeof HistoricalPricesResponseModel>;

export const InstancePricingHistoryResponse = z.object({
  instances: z.array(z.object({
    instance_fid: str(),
    events: z.array(z.object({ price_cents: int(), start_time: str(), end_time: z.nullable(str()) })),
    bid_fid: opt(str()),
    reservation_fid: opt(str()),
  })),
  next_cursor: opt(str()),
});
export type InstancePricingHistoryResponse = z.infer<typeof InstancePricingHistoryResponse>;

export const InstanceStatusHistoryResponse = z.object({
  instances: z.array(z.object({
    instance_fid: str(),
    events: z.array(z.object({ timestamp: str(), status: z.enum(INSTANCE_STATUSES) })),
    bid_fid: opt(str()),
    reservation_fid: opt(str()),
  })),
  next_cursor: opt(str()),
});
export type InstanceStatusHistoryResponse = z.infer<typeof InstanceStatusHistoryResponse>;

/** FastAPI's error bodies: `{detail: [{loc, msg, type}]}` (422) or `{detail: "text"}`. */
export const ValidationErrorItem = z.object({ loc: z.array(z.union([str(), int()])), msg: str(), type: str() });
export type ValidationErrorItem = z.infer<typeof ValidationErrorItem>;
export const ErrorBody = z.object({ detail: z.union([str(), z.array(ValidationErrorItem)]) });

// ---- query parameters (strings on the wire; the fake parses them with these)

const queryInt = (min: number, max: number) =>
  z.pipe(z.string().check(z.regex(/^-?\d+$/)), z.pipe(z.transform((s: string) => Number(s)), int().check(z.gte(min), z.lte(max))));
const csvOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.pipe(z.string(), z.pipe(z.transform((s: string) => s.split(',').filter(Boolean)), z.array(z.enum(values))));
const csv = () => z.pipe(z.string(), z.transform((s: string) => s.split(',').filter(Boolean)));
const sortDir = z.enum(['asc', 'desc']);

export const query = {
  bids: z.object({
    next_cursor: z.optional(str()),
    sort_by: z.optional(z.enum(['created_at', 'status'])),
    sort_dir: z.optional(sortDir),
    project: z.optional(str()),
    instance_type: z.optional(str()),
    region: z.optional(str()),
    status: z.optional(z.enum(BID_STATUSES)),
    name: z.optional(str()),
    limit: z.optional(queryInt(1, 100)),
  }),
  instances: z.object({
    next_cursor: z.optional(str()),
    sort_by: z.optional(z.enum(['created_at', 'instance_status', 'instance_type_fid'])),
    sort_dir: z.optional(sortDir),
    project: str(),
    instance_type: z.optional(str()),
    region: z.optional(str()),
    status_in: z.optional(csvOf(INSTANCE_STATUSES)),
    order_type_in: z.optional(csvOf(['Bid', 'Reservation'])),
    bid_fid_in: z.optional(csv()),
    reservation_fid_in: z.optional(csv()),
    limit: z.optional(queryInt(1, 100)),
  }),
  sshKeys: z.object({ project: str() }),
  pricingCurrent: z.object({
    instance_type: str(),
    region: z.optional(str()),
    instance_quantity: z.optional(queryInt(1, 256)),
  }),
  pricingHistory: z.object({
    instance_types: z.optional(str()),
    region: z.optional(str()),
    num_samples: z.optional(queryInt(-1, 1000)),
    start_time: z.optional(str()),
    end_time: z.optional(str()),
  }),
  instanceHistory: z.object({
    project: str(),
    instance_fid: z.optional(str()),
    bid_fid: z.optional(str()),
    reservation_fid: z.optional(str()),
    limit: z.optional(queryInt(1, 100)),
    start_time: z.optional(str()),
    end_time: z.optional(str()),
    next_cursor: z.optional(str()),
  }),
  none: z.object({}),
};
