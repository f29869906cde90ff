// Vitest global setup: starts the S3 test servers once per run and hands them to test files via provide/inject.
import type { TestProject } from 'vitest/node';
import { startS3Servers } from './s3-servers.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { servers, skipped, stop } = await startS3Servers();
  project.provide('lakeqlS3', { servers, skipped });
  return stop;
}
