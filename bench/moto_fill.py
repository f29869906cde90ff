# Starts a moto S3 server in this process and fills a bucket with N lake keys straight into moto's backend (no HTTP per key).
# Prints "ready <port>" when the keys are in; runs until stdin closes. Used by bench/catalog-index.ts.
import sys
from moto.server import ThreadedMotoServer
from moto.s3.models import s3_backends

port, bucket, symbols, years = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
server = ThreadedMotoServer(ip_address='127.0.0.1', port=port, verbose=False)
server.start()
backend = s3_backends['123456789012']['aws']
backend.create_bucket(bucket, 'us-east-1')
n = 0
for s in range(symbols):
    ticker = 'T' + format(s, '05d')
    for y in range(years):
        year = 1990 + y
        backend.put_object(bucket, f'data/ticks/daily/{ticker}/{year}/ticks.parquet', b'PAR1')
        for q in range(1, 5):
            backend.put_object(bucket, f'data/fundamental/{ticker}/{year}/Q{q}.json', b'{"revenue": 1}')
        n += 5
print(f'ready {port} {n}', flush=True)
sys.stdin.read()
server.stop()
