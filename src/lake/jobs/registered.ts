// Rules for registered jobs (UPLOAD jobs waiting for their bytes): which are still claimable, and why a claim is refused.
import { CancelledError, PreconditionFailedError } from '../errors.js';
import type { JobSnapshot } from './types.js';

/** Registered, not yet claimed, cancelled or expired. Jobs queued here never carry `expiresAt`. */
export function unclaimed(snapshot: JobSnapshot): boolean {
  return snapshot.state === 'QUEUED' && snapshot.expiresAt !== undefined;
}

/** Why a registered job cannot be claimed: it was cancelled, it expired, or its upload already came. */
export function refusal(snapshot: JobSnapshot): Error {
  const why = `job ${snapshot.id} is ${snapshot.state}${snapshot.message ? ` (${snapshot.message})` : ''}: only a QUEUED upload job takes an upload`;
  return snapshot.state === 'CANCELLED' ? new CancelledError(why) : new PreconditionFailedError(why);
}
