"""Benchmark: derive every operation of every botocore service vs. botocore loading those models.

Baseline (measured in the same run): botocore loads each service model with a fresh loader, wraps it in a
ServiceModel and builds every OperationModel with its input and output shapes. Ours: the same loading plus
deriving every operation's schema document. One service at a time, nothing kept, so memory stays flat.
Target: ours / baseline <= 2.0.  Run: python bench/bench_spec.py
"""

from __future__ import annotations

import gc
import resource
import time

from conformance.spec.derive import ServiceDeriver
from conformance.spec.models import load_service, service_names


def botocore_baseline(services: tuple[str, ...]) -> tuple[float, int]:
    started = time.perf_counter()
    operations = 0
    for service in services:
        model = load_service(service, cached=False)
        for name in model.operation_names:
            operation = model.operation_model(name)
            _ = operation.input_shape, operation.output_shape, operation.error_shapes
            operations += 1
    return time.perf_counter() - started, operations


def derive_everything(services: tuple[str, ...]) -> tuple[float, int]:
    started = time.perf_counter()
    documents = 0
    for service in services:
        deriver = ServiceDeriver(load_service(service, cached=False))
        for name in deriver.operation_names():
            deriver.document(name)
            documents += 1
    return time.perf_counter() - started, documents


def main() -> None:
    services = service_names()
    gc.collect()
    base_seconds, operations = botocore_baseline(services)
    rss_after_baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ours_seconds, documents = derive_everything(services)
    rss_after_ours = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"services: {len(services)}  operations: {operations}  documents: {documents}")
    print(f"botocore load+scan (baseline): {base_seconds:6.2f} s")
    print(f"conformance derive (ours):     {ours_seconds:6.2f} s")
    print(f"ratio ours/baseline:           {ours_seconds / base_seconds:6.2f}  (target <= 2.00)")
    print(f"peak RSS: after baseline {rss_after_baseline / 1024:.0f} MiB, after derive {rss_after_ours / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
