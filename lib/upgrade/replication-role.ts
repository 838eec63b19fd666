// A server's place in its replication group: the administrator's word (DOMAIN.md §1: where the
// server records it is not public). Kept in a file of its own so the command table stays light.
export type ReplicationRole = 'master' | 'subordinate' | 'standalone';
export const REPLICATION_ROLES: ReplicationRole[] = ['master', 'subordinate', 'standalone'];
