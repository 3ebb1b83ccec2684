// A change event as consumers see it, identical in GET /v1/changes and in a webhook's body:
// {id, type, created_at, account, data}. The id is a decimal string (a Postgres bigint).
import type { ChangeRecord } from "../store/change-feed-store.ts";

export interface ChangeEvent {
  id: string;
  type: string;
  created_at: string;
  account: string;
  data: unknown;
}

export function toChangeEvent(r: ChangeRecord): ChangeEvent {
  return { id: r.id.toString(), type: r.type, created_at: r.createdAt.toISOString(), account: r.appId, data: r.data };
}
