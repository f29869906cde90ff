# The seed tutorial's upload_directory_parallel (section 6), verbatim but for the bucket name and endpoint coming from argv/env.
import logging
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import boto3

BUCKET = sys.argv[3] if len(sys.argv) > 3 else 'us-equity-datalake'


def upload_directory_parallel(local_dir, s3_prefix, max_workers=20):
    s3_client = boto3.client('s3')
    local_dir = Path(local_dir)

    files_to_upload = []
    for file_path in local_dir.rglob('*.parquet'):
        relative_path = file_path.relative_to(local_dir)
        s3_key = f"{s3_prefix}/{relative_path}".replace('\\', '/')
        files_to_upload.append((str(file_path), s3_key))

    total = len(files_to_upload)
    logging.info(f"Found {total} files to upload")

    def upload_single_file(file_info):
        local_path, s3_key = file_info
        try:
            s3_client.upload_file(Filename=local_path, Bucket=BUCKET, Key=s3_key)
            return True, s3_key
        except Exception as e:
            logging.error(f"Failed {s3_key}: {e}")
            return False, s3_key

    results = {'success': 0, 'failed': 0}
    with ThreadPoolExecutor(max_workers=max_workers) as executor:
        futures = {executor.submit(upload_single_file, f): f for f in files_to_upload}
        for i, future in enumerate(as_completed(futures), 1):
            success, s3_key = future.result()
            if success:
                results['success'] += 1
            else:
                results['failed'] += 1
            print(f"\rProgress: {i}/{total} ({i/total*100:.1f}%)", end='', file=sys.stderr)
    print(file=sys.stderr)
    logging.info(f"Upload complete: {results['success']} success, {results['failed']} failed")
    return results


if __name__ == '__main__':
    results = upload_directory_parallel(sys.argv[1], sys.argv[2], max_workers=20)
    print(f"{results['success']} {results['failed']}")
    sys.exit(0 if results['failed'] == 0 else 1)
