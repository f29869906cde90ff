// The few parts of autocannon's programmatic API bench/load.ts uses (the package ships no types).
declare module 'autocannon' {
  export interface Request { method?: string; path?: string; headers?: Record<string, string>; body?: string }
  export interface Histogram { average: number; mean: number; p50: number; p90: number; p99: number; max: number; min: number; total: number }
  export interface Result {
    requests: Histogram & { sent: number };
    latency: Histogram;
    throughput: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
    duration: number;
    '2xx': number;
    '1xx': number;
    '3xx': number;
    '4xx': number;
    '5xx': number;
  }
  export interface Options {
    url: string;
    connections?: number;
    duration?: number;
    pipelining?: number;
    timeout?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    requests?: Request[];
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
