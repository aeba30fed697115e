import type { ColumnType, Generated } from 'kysely';

/** Kysely table types (C.2). Timestamps are ISO-8601 UTC text; JSON columns are JSON text; flags are 0/1. */
type Id = Generated<number>;
type Flag = number;

export interface UsersTable {
  id: Id;
  email: string;
  password_hash: string;
  password_version: ColumnType<number, number | undefined, number>;
  is_active: ColumnType<Flag, Flag | undefined, Flag>;
  created_at: string;
  updated_at: string;
}

export interface ThreadsTable {
  id: Id;
  user_id: number;
  title: string;
  description: string;
  next_display_order: ColumnType<number, number | undefined, number>;
  created_at: string;
  updated_at: string;
}

export interface ActionsTable {
  id: Id;
  user_id: number;
  handler_name: string;
  title: string;
  raw_text: string;
  request: string;
  mutating: Flag;
  status: string;
  error_summary: string | null;
  runner_id: string;
  next_chunk_seq: ColumnType<number, number | undefined, number>;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface ThreadActionsTable {
  id: Id;
  thread_id: number;
  action_id: number;
  display_order: number;
  show_question: Flag;
  show_answer: Flag;
}

export interface ActionChunksTable {
  id: Id;
  action_id: number;
  seq: number;
  mime: string;
  text_content: string | null;
  artifact_id: string | null;
  replace_key: string | null;
  created_at: string;
  updated_at: string;
}

export interface ArtifactsTable {
  id: string;
  action_id: number;
  user_id: number;
  file_name: string;
  mime: string;
  size_bytes: number;
  sha256: string;
  content: Buffer | null;
  storage_path: string | null;
  created_at: string;
}

export interface UploadsTable {
  id: string;
  user_id: number;
  file_name: string;
  mime: string;
  size_bytes: number;
  content: Buffer | null;
  storage_path: string | null;
  created_at: string;
  expires_at: string;
}

export interface HandlerConfigsTable {
  id: Id;
  user_id: number;
  handler_name: string;
  config: string;
  created_at: string;
  updated_at: string;
}

/** Login sessions ended by a logout: their tokens are refused until they would have expired anyway. */
export interface RevokedSessionsTable {
  session_id: string;
  user_id: number;
  revoked_at: string;
  expires_at: string;
}

export interface Database {
  users: UsersTable;
  threads: ThreadsTable;
  actions: ActionsTable;
  thread_actions: ThreadActionsTable;
  action_chunks: ActionChunksTable;
  artifacts: ArtifactsTable;
  uploads: UploadsTable;
  handler_configs: HandlerConfigsTable;
  revoked_sessions: RevokedSessionsTable;
}
