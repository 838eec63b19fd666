// A health check after an upgrade, as data (like the readiness checks): what was checked, what was
// found, and what to do when it is not healthy.
export type HealthStatus = 'pass' | 'warn' | 'fail';

export interface HealthCheck {
  id: string;
  title: string;
  status: HealthStatus;
  evidence: string;
  remedy?: string;
}
