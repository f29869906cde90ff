# Starts a moto S3 server in this process, with a sorted-key ListObjectsV2, and fills a bucket with N lake keys straight into moto's backend.
#
#   python3 bench/moto_fill.py PORT BUCKET SYMBOLS YEARS    prints "ready PORT KEYS FILL_S RSS_BYTES", serves until stdin closes
#   python3 bench/moto_fill.py --compare-listing SYMBOLS YEARS [UNPATCHED_PAGES]
#                                                           times a full listing, patched and (a sample of pages) unpatched
#
# Used by bench/catalog-index.ts. Keys go in through moto's own S3Backend.put_object (FakeKey objects,
# exactly as a PUT over HTTP stores them), without an HTTP request per key: at the few hundred PUTs
# a second moto takes over HTTP here, 1,000,000 keys would take most of an hour.
#
# Why the listing is patched: moto 5.2's list_objects_v2 copies the bucket's whole key dict, sorts
# every key and then skips up to the continuation token, for every page: O(keys log keys) per page,
# so a full listing is quadratic. Measured with `--compare-listing 20000 10 5` (1,000,000 keys,
# backend calls only, no HTTP; prefix data/, pages of 1000; 4 Dec 2026, on 2 shared cores):
#   unpatched: 3.44 s of CPU a page (5 pages spread over the listing) → ~57 min of CPU for the 1,000 pages
#   patched:   all 1,000 pages in 1.6 s of CPU (1.6 ms a page)
# Over HTTP a page then costs what moto's XML serialisation of 1000 keys costs: the 1M index build
# in bench:index got ~3.8 pages a second out of moto, 16 in flight (one Python process, one GIL).
# Memory: 1,000,000 FakeKeys (each with its own buffer, lock and ACL) take ~3.6 GiB of RSS and
# ~1–2 min to put; that fits this 24 GiB machine, so keys go through put_object unchanged.
# The patch keeps a sorted array of each bucket's key names in step with every change to the
# bucket's key store (puts, deletes, delete markers: the store is wrapped, not put_object, so every
# path that changes keys is seen), and answers a page with bisect: O(log keys + page). With a
# delimiter, each common prefix skips to the end of its keys by bisect. It returns exactly what
# moto's own implementation returns (same items, same FakeKey objects, same IsTruncated, same
# continuation tokens through moto's own _truncate_result); a self-check compares both on random
# buckets before every fill and refuses to serve (exit 3) if they differ. Only this process is
# patched; the installed moto is not touched, and HTTP serialisation is moto's own.
import bisect
import gc
import random
import sys
import threading
import time

from moto.s3.models import FakeBucket, FakeDeleteMarker, FakeTableStorageBucket, S3Backend, s3_backends
from moto.s3.utils import _VersionedKeyStore

ACCOUNT = '123456789012'


class SortedKeyStore(_VersionedKeyStore):
    """moto's key store, plus its key names in sorted order. Names are only appended on change; sorting waits for the next listing (Timsort merges the appended run)."""

    def __init__(self):
        super().__init__()
        self._names_lock = threading.RLock()
        self._names: list[str] = []
        self._added: list[str] = []
        self._rebuild = False

    def __setitem__(self, key, value):
        with self._names_lock:
            if not dict.__contains__(self, key):
                self._added.append(key)
            super().__setitem__(key, value)

    def setlist(self, key, list_):
        with self._names_lock:
            if not dict.__contains__(self, key):
                self._added.append(key)
            super().setlist(key, list_)

    def pop(self, key):
        with self._names_lock:
            self._rebuild = True
            return super().pop(key)

    # dict's other mutators bypass the methods above: any of them rebuilds the names from the dict.
    def __delitem__(self, key):
        with self._names_lock:
            self._rebuild = True
            dict.__delitem__(self, key)

    def clear(self):
        with self._names_lock:
            self._rebuild = True
            dict.clear(self)

    def popitem(self):
        with self._names_lock:
            self._rebuild = True
            return dict.popitem(self)

    def update(self, *args, **kwargs):
        with self._names_lock:
            self._rebuild = True
            dict.update(self, *args, **kwargs)

    def setdefault(self, key, default=None):
        with self._names_lock:
            self._rebuild = True
            return dict.setdefault(self, key, default)

    def sorted_names(self) -> list[str]:
        """The names, sorted as moto sorts them (code points = S3's UTF-8 byte order). The list returned is never mutated afterwards."""
        with self._names_lock:
            if self._rebuild:
                self._names = sorted(dict.keys(self))
                self._added = []
                self._rebuild = False
            elif self._added:
                names = self._names + self._added
                names.sort()
                self._names = names
                self._added = []
            return self._names


def successor(prefix: str) -> str | None:
    """The least string greater than every string that starts with prefix (None: there is none)."""
    while prefix:
        c = ord(prefix[-1])
        if c < 0x10FFFF:
            return prefix[:-1] + chr(c + 1)
        prefix = prefix[:-1]
    return None


_unpatched_list_objects_v2 = S3Backend.list_objects_v2


def sorted_list_objects_v2(self, bucket, prefix, delimiter, continuation_token, start_after, max_keys):
    keys = bucket.keys
    if (
        not isinstance(keys, SortedKeyStore)
        or isinstance(bucket, FakeTableStorageBucket)
        or max_keys < 0
        or (continuation_token and continuation_token not in self._pagination_tokens)
    ):
        # Shapes the fast path does not model (moto errors or odd slicing): moto's own answer.
        return _unpatched_list_objects_v2(self, bucket, prefix, delimiter, continuation_token, start_after, max_keys)
    names = keys.sorted_names()
    prefix = prefix or ''
    # As moto: the token wins over StartAfter; results are the names after it.
    limit = self._pagination_tokens[continuation_token] if continuation_token else (start_after or None)
    i = bisect.bisect_left(names, prefix)
    if limit is not None:
        i = max(i, bisect.bisect_right(names, limit))
    n = len(names)
    want = max_keys + 1  # one more than a page tells _truncate_result whether more follow
    out = []
    while i < n and len(out) < want:
        name = names[i]
        if not name.startswith(prefix):
            break
        if delimiter:
            cut = name.find(delimiter, len(prefix))
            if cut >= 0:
                folder = name[: cut + len(delimiter)]
                # moto counts a common prefix even when its only keys are delete markers.
                if limit is None or folder > limit:
                    out.append(folder)
                end = successor(folder)
                i = n if end is None else bisect.bisect_left(names, end, i + 1)
                continue
        key = keys.get(name)
        if key is not None and not isinstance(key, FakeDeleteMarker):
            out.append(key)
        i += 1
    return self._truncate_result(out, max_keys)


def install() -> None:
    """Every bucket created from now on in this process keeps sorted names; ListObjectsV2 uses them."""
    unpatched_init = FakeBucket.__init__

    def init(self, *args, **kwargs):
        unpatched_init(self, *args, **kwargs)
        self.keys = SortedKeyStore()

    FakeBucket.__init__ = init
    S3Backend.list_objects_v2 = sorted_list_objects_v2


def _shape(result):
    items, truncated, token = result
    return ([x if isinstance(x, str) else ('key', x.name, id(x)) for x in items], truncated, token)


def self_check(backend, seed: int = 11) -> int:
    """Compares patched and unpatched answers on random buckets (deletes, delete markers, overwrites, multi-character delimiters); returns the comparisons made, raises on the first difference."""
    rng = random.Random(seed)
    alphabet = ['a', 'b', '/', '0', 'é', '~']
    compared = 0

    def random_key():
        return ''.join(rng.choice(alphabet) for _ in range(rng.randint(1, 7)))

    def check(bucket):
        nonlocal compared
        names = list(dict.keys(bucket.keys))
        prefixes = [None, '', 'a', 'a/', 'a/b', '/', 'é', 'zz'] + [k[: rng.randint(0, len(k))] for k in rng.sample(names, 6)]
        delimiters = [None, '', '/', 'b', 'a/', '/b']
        afters = [None, '', '~~~', 'a/', 'a/b/'] + rng.sample(names, 4) + [random_key() for _ in range(3)]
        for _ in range(500):
            prefix, delimiter = rng.choice(prefixes), rng.choice(delimiters)
            after, max_keys = rng.choice(afters), rng.choice([0, 1, 2, 3, 7, 1000])
            token = None
            for _page in range(60):
                args = (bucket, prefix, delimiter, token, after, max_keys)
                want = _shape(_unpatched_list_objects_v2(backend, *args))
                got = _shape(sorted_list_objects_v2(backend, *args))
                compared += 1
                if want != got:
                    raise AssertionError(f'list_objects_v2{args[1:]} differs: moto {want!r}, sorted {got!r}')
                token = want[2]
                if token is None:
                    break

    plain = 'moto-fill-selfcheck-plain'
    backend.create_bucket(plain, 'us-east-1')
    bucket = backend.get_bucket(plain)
    fixed = ['a/', 'a//b', 'a/b/c', 'a/b/', 'ab/cd', 'a', 'b/a/b', '/', '//', 'é/é', '~']
    for k in fixed + [random_key() for _ in range(300)]:
        backend.put_object(plain, k, b'x')
    check(bucket)
    for k in rng.sample(list(dict.keys(bucket.keys)), 40):
        backend.delete_object(plain, k)
    for k in [random_key() for _ in range(60)]:  # new and overwritten keys after a listing
        backend.put_object(plain, k, b'yy')
    check(bucket)

    versioned = 'moto-fill-selfcheck-versioned'
    backend.create_bucket(versioned, 'us-east-1')
    backend.put_bucket_versioning(versioned, 'Enabled')
    bucket = backend.get_bucket(versioned)
    for k in fixed + [random_key() for _ in range(300)]:
        backend.put_object(versioned, k, b'x')
    live = list(dict.keys(bucket.keys))
    for k in rng.sample(live, 60):
        backend.delete_object(versioned, k)  # a delete marker: hidden from Contents, still a common prefix
    for k in rng.sample(live, 20):
        versions = bucket.keys.getlist(k)
        backend.delete_object(versioned, k, version_id=versions[0].version_id)
    check(bucket)
    return compared


def rss_bytes() -> int:
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) * 1024
    return 0


def fill(backend, bucket: str, symbols: int, years: int) -> int:
    """20,000 symbols × 10 years × 5 files is the 1,000,000-key lake: one daily parquet and four quarters of fundamentals a symbol-year."""
    backend.create_bucket(bucket, 'us-east-1')
    # Millions of long-lived objects: the cyclic GC would rescan them all on every collection.
    gc.disable()
    n = 0
    for s in range(symbols):
        ticker = 'T' + format(s, '05d')
        for y in range(years):
            year = 1990 + y
            backend.put_object(bucket, f'data/ticks/daily/{ticker}/{year}/ticks.parquet', b'PAR1')
            for q in range(1, 5):
                backend.put_object(bucket, f'data/fundamental/{ticker}/{year}/Q{q}.json', b'{"revenue": 1}')
            n += 5
    gc.freeze()
    gc.enable()
    return n


def full_listing(list_fn, backend, bucket, pages=None):
    """Times a ListObjectsV2 walk of prefix data/ in pages of 1000 as (pages, wall s, CPU s); pages=None walks to the end, else times that many pages spread evenly."""
    if pages is None:
        token, count = None, 0
        w0, c0 = time.perf_counter(), time.process_time()
        while True:
            _, truncated, token = list_fn(backend, bucket, 'data/', None, token, None, 1000)
            count += 1
            if not truncated:
                return count, time.perf_counter() - w0, time.process_time() - c0
    names = bucket.keys.sorted_names()
    w0, c0 = time.perf_counter(), time.process_time()
    for p in range(pages):
        list_fn(backend, bucket, 'data/', None, None, names[(len(names) * p) // pages], 1000)
    return pages, time.perf_counter() - w0, time.process_time() - c0


def main() -> None:
    install()
    backend = s3_backends[ACCOUNT]['aws']
    try:
        compared = self_check(backend)
    except Exception as error:  # a difference, or the fast path failing where moto answers
        print(f'self-check failed: {error!r:.2000}', file=sys.stderr, flush=True)
        sys.exit(3)
    print(f'self-check: {compared} pages identical to moto\'s list_objects_v2', file=sys.stderr, flush=True)

    if sys.argv[1] == '--compare-listing':
        symbols, years = int(sys.argv[2]), int(sys.argv[3])
        sample = int(sys.argv[4]) if len(sys.argv) > 4 else 5
        t0 = time.perf_counter()
        n = fill(backend, 'compare', symbols, years)
        print(f'filled {n} keys in {time.perf_counter() - t0:.1f} s wall; RSS {rss_bytes() / 2**20:.0f} MiB', flush=True)
        bucket = backend.get_bucket('compare')
        pages, wall, cpu = full_listing(sorted_list_objects_v2, backend, bucket)
        print(f'patched:   all {pages} pages in {wall:.1f} s wall, {cpu:.1f} s CPU ({cpu / pages * 1000:.1f} ms CPU a page)', flush=True)
        pages, wall, cpu = full_listing(_unpatched_list_objects_v2, backend, bucket, sample)
        full = cpu / pages * (n / 1000)
        print(f'unpatched: {pages} pages spread over the listing in {wall:.1f} s wall, {cpu:.1f} s CPU ({cpu / pages:.2f} s CPU a page) → ~{full / 60:.0f} min CPU for all {n // 1000} pages', flush=True)
        return

    from moto.server import ThreadedMotoServer

    port, bucket, symbols, years = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    server = ThreadedMotoServer(ip_address='127.0.0.1', port=port, verbose=False)
    server.start()
    t0 = time.perf_counter()
    n = fill(backend, bucket, symbols, years)
    backend.get_bucket(bucket).keys.sorted_names()  # sorted once here, not in the first LIST
    print(f'ready {port} {n} {time.perf_counter() - t0:.1f} {rss_bytes()}', flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == '__main__':
    main()
