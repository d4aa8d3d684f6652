"""Start-up costs, each beside its floor measured in the same run.

Run: python -m benchmarks.bench_startup [--collections 200] [--repeat 7]
- `weavectl --version` in a fresh process against a process that only imports click (goal: 1.5x or less);
- `weavectl validate` of a generated file against PyYAML's C loader merely loading the same file (goal: 2x or less).
The first validate run fills the compiled-schema cache (and the parse cache); it is not counted. The goal is checked
cold (the file parsed every time, as on a fresh CI runner); warm (an unchanged file's parse read from the cache) is
reported beside it.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import yaml

from benchmarks.bench_validate import COLD, make_config, timed
from benchmarks.common import byte_compiled, options


def main() -> None:
    args = options(collections=200, repeat=7)
    byte_compiled()
    version = timed([sys.executable, "-m", "weavectl", "--version"], args.repeat)
    click_floor = timed([sys.executable, "-c", "import click"], args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.yaml"
        path.write_text(yaml.safe_dump(make_config(args.collections), sort_keys=False))
        validate_cmd = [sys.executable, "-m", "weavectl", "validate", "-f", str(path)]
        timed(validate_cmd, 1)  # warm the compiled-schema cache
        validate = timed(validate_cmd, args.repeat, COLD)
        validate_warm = timed(validate_cmd, args.repeat)
        yaml_floor = timed(
            [sys.executable, "-c", f"import yaml; yaml.load(open({str(path)!r}), Loader=yaml.CSafeLoader)"],
            args.repeat)
    print(json.dumps({
        "benchmark": "startup",
        "version_s": round(version, 3), "floor_import_click_s": round(click_floor, 3),
        "version_ratio": round(version / click_floor, 2), "version_goal": 1.5,
        "collections": args.collections,
        "validate_s": round(validate, 3), "floor_yaml_load_s": round(yaml_floor, 3),
        "validate_ratio": round(validate / yaml_floor, 2), "validate_goal": 2.0,
        "validate_warm_s": round(validate_warm, 3), "validate_warm_ratio": round(validate_warm / yaml_floor, 2),
    }, indent=2))


if __name__ == "__main__":
    main()
