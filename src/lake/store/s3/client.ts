// Builds the one S3Client lakeql uses: the standard AWS configuration chain plus our transport and checksum choices.
import http from 'node:http';
import https from 'node:https';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Upper bound on concurrent connections per protocol: enough for parallel part uploads, bounded so a burst cannot exhaust file descriptors. */
export const MAX_SOCKETS = 64;
const FALLBACK_REGION = 'us-east-1';

/**
 * A custom endpoint configured the way the AWS SDKs read it (service-specific first), unless the
 * environment says to ignore configured endpoints. The SDK applies it itself; we only need to
 * know that there is one, to pick path-style addressing.
 */
export function configuredEndpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return undefined;
  return env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
}

/**
 * Options given win; everything else comes from the standard chain (AWS_REGION, AWS_PROFILE and
 * ~/.aws/config, AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, the credential provider chain).
 */
export function createS3Client(config: S3ClientConfig = {}, env: NodeJS.ProcessEnv = process.env): S3Client {
  const customEndpoint = config.endpoint !== undefined || configuredEndpoint(env) !== undefined;
  return new S3Client({
    region: regionWithFallback(env),
    // S3-compatible servers (MinIO, moto, Ceph) rarely have wildcard DNS for virtual-hosted buckets.
    forcePathStyle: customEndpoint,
    // With a bucket in another region than the one configured, follow S3's redirect instead of failing.
    followRegionRedirects: !customEndpoint,
    // The SDK default (WHEN_SUPPORTED) sends streamed bodies aws-chunked with a trailing CRC32;
    // some S3-compatible servers store those chunk frames as the object's bytes. Checksums are then
    // sent only where the API requires them (e.g. DeleteObjects) and validated only when asked for.
    // The AWS_REQUEST_CHECKSUM_CALCULATION / AWS_RESPONSE_CHECKSUM_VALIDATION variables still win.
    ...(env.AWS_REQUEST_CHECKSUM_CALCULATION ? {} : { requestChecksumCalculation: 'WHEN_REQUIRED' as const }),
    ...(env.AWS_RESPONSE_CHECKSUM_VALIDATION ? {} : { responseChecksumValidation: 'WHEN_REQUIRED' as const }),
    requestHandler: new NodeHttpHandler({
      // Keep-alive saves a TCP (and TLS) handshake per request, which dominates small GETs.
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
      connectionTimeout: 10_000,
    }),
    ...config,
  });
}

/**
 * The SDK's own region chain, then us-east-1: S3 signing needs some region, and with a custom
 * endpoint (or followRegionRedirects) the exact one rarely matters. A bare client is only used
 * to run the chain; it never sends a request.
 */
function regionWithFallback(env: NodeJS.ProcessEnv): () => Promise<string> {
  let region: Promise<string> | undefined;
  return () => {
    region ??= (async () => {
      if (env.AWS_REGION) return env.AWS_REGION;
      const probe = new S3Client({});
      try {
        return (await probe.config.region()) || FALLBACK_REGION;
      } catch {
        return FALLBACK_REGION;
      } finally {
        probe.destroy();
      }
    })();
    return region;
  };
}
