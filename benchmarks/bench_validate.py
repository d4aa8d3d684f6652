"""`weavectl validate` on a 500-collection file, against the floor of merely parsing that YAML.

Run: python -m benchmarks.bench_validate [--collections 500] [--repeat 5]
Reports the median wall time of a fresh `weavectl validate` process (what a pre-commit hook pays), parsing the
file (cold) and reading an unchanged file's parse from the cache (warm), the floor
(a fresh Python process that only loads the same file with PyYAML's C loader), their ratio, peak memory, and
checks that weaviate-client is never imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from benchmarks.common import byte_compiled, options
from benchmarks.timing import median_time


def make_config(collections: int, properties: int = 20) -> dict[str, Any]:
    cols = []
    for i in range(collections):
        props = [{"name": f"p{j}", "data_type": "text" if j % 3 else "int", "description": f"field {j}"}
                 for j in range(properties)]
        cols.append({
            "name": f"Coll{i}", "description": "benchmark collection", "properties": props,
            "vectors": {"main": {"vectorizer": "text2vec-openai", "model": "text-embedding-3-small",
                                 "source_properties": ["p1", "p2"],
                                 "index": {"type": "hnsw", "distance": "cosine", "ef": 128,
                                           "quantizer": {"type": "rq", "bits": 8}}}},
            "inverted_index": {"bm25": {"b": 0.7, "k1": 1.1}},
            "replication": {"factor": 1},
        })
    return {"version": 1, "api_keys": {"openai": {"env": "OPENAI_APIKEY"}}, "collections": cols}


# A process that parses the file every time, as on a machine that never read it (the parse cache off).
COLD = {**os.environ, "WEAVECTL_NO_CACHE": "1"}


def timed(cmd: list[str], repeat: int, env: dict[str, str] | None = None) -> float:
    """Median wall time of a fresh process running `cmd` (with `env`, else this process's), which must succeed."""

    def run() -> None:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
        if proc.returncode != 0:
            raise SystemExit(f"{cmd} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")

    return median_time(run, repeat)


def main() -> None:
    args = options(collections=500, repeat=5)
    byte_compiled()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.yaml"
        path.write_text(yaml.safe_dump(make_config(args.collections), sort_keys=False))
        floor_cmd = [sys.executable, "-c", f"import yaml; yaml.load(open({str(path)!r}), Loader=yaml.CSafeLoader)"]
        validate_cmd = [sys.executable, "-m", "weavectl", "validate", "-f", str(path)]
        floor = timed(floor_cmd, args.repeat)
        validate = timed(validate_cmd, args.repeat, COLD)
        timed(validate_cmd, 1)  # fills the parse cache
        validate_warm = timed(validate_cmd, args.repeat)
        probe = subprocess.run(
            [sys.executable, "-c",
             "import sys; from weavectl.cli import run_cli; "
             f"code = run_cli(['validate', '-f', {str(path)!r}]); "
             "assert 'weaviate' not in sys.modules, 'validate imported weaviate-client'; "
             "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"],
            capture_output=True, text=True, check=True)
        peak_kib = int(probe.stdout.strip().splitlines()[-1])
        size = path.stat().st_size
    result = {
        "benchmark": "validate",
        "collections": args.collections,
        "file_bytes": size,
        "validate_s": round(validate, 3),
        "validate_warm_s": round(validate_warm, 3),
        "floor_yaml_load_s": round(floor, 3),
        "ratio": round(validate / floor, 2),
        "ratio_warm": round(validate_warm / floor, 2),
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "imports_weaviate_client": False,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
