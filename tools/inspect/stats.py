"""Per-method counts, errors and answer latency percentiles of a capture."""

from __future__ import annotations

import math
from collections import Counter, defaultdict


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


class Stats:
    def __init__(self):
        self.requests: Counter[str] = Counter()
        self.errors: dict[str, Counter[str]] = defaultdict(Counter)
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.kinds: Counter[str] = Counter()

    def add(self, record: dict) -> None:
        kind = record.get("kind") or "?"
        self.kinds[kind] += 1
        method = record.get("method") or "?"
        if kind == "request":
            self.requests[method] += 1
        elif kind in ("result", "error"):
            if isinstance(record.get("latency_ms"), (int, float)):
                self.latencies[method].append(float(record["latency_ms"]))
            if kind == "error":
                self.errors[method][(record.get("error") or {}).get("message", "?")] += 1

    def table(self) -> str:
        methods = sorted(set(self.requests) | set(self.latencies) | set(self.errors),
                         key=lambda m: (-self.requests[m], m))
        rows = [("method", "calls", "errors", "p50 ms", "p90 ms", "p99 ms", "max ms")]
        for method in methods:
            values = sorted(self.latencies.get(method, []))
            errors = sum(self.errors[method].values()) if method in self.errors else 0
            rows.append((method, str(self.requests[method]), str(errors),
                         *(_ms(percentile(values, p)) for p in (50, 90, 99)), _ms(values[-1] if values else math.nan)))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = ["  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row))
                 for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        errors = [f"  {method}: " + ", ".join(f"{name} ×{count}" for name, count in counter.most_common())
                  for method, counter in sorted(self.errors.items())]
        if errors:
            lines += ["", "errors:", *errors]
        lines += ["", "messages: " + ", ".join(f"{kind} {count}" for kind, count in sorted(self.kinds.items()))]
        return "\n".join(lines)


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}"


__all__ = ["Stats", "percentile"]
