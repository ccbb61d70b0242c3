"""``make bench``: every benchmark of the project; one JSON object per figure on stdout.

Each figure carries its reference measured in the same run (machines here are shared and noisy, so only
ratios within one run mean anything). Select with ``python -m tests.bench upload search``.
"""

from __future__ import annotations

import sys

from tests.bench import (
    catalog_search,
    dcat,
    download,
    dsp,
    engine,
    http_load,
    kanon,
    matching,
    metrics_overhead,
    mqtt_fanout,
    profile,
    settlement,
    slow_partner,
    subscriptions,
    upload,
)


def main(argv: list[str]) -> int:
    benches = {
        "upload": upload.run,
        "profile": profile.run,
        "search": catalog_search.run,
        "engine": engine.run,
        "matching": matching.run,
        "http": http_load.run,
        "settlement": settlement.run,
        "slow_partner": slow_partner.run,
        "download": download.run,
        "mqtt_fanout": mqtt_fanout.run,
        "close_periods": subscriptions.run,
        "dcat": dcat.run,
        "dsp": dsp.run,
        "kanon": kanon.run,
        "metrics": metrics_overhead.run,
    }
    chosen = argv or list(benches)
    unknown = [name for name in chosen if name not in benches]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(benches)}", file=sys.stderr)
        return 2
    for name in chosen:
        benches[name]()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
