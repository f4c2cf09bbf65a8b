# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The MLOps layer's components at pinned versions, as data.

MLflow: the server image is upstream's (`ghcr.io/mlflow/mlflow`), which ships
without a PostgreSQL driver or object-store SDKs (mlflow#9513). The pod adds
them with an init container that installs the pinned `packages` for the
backend and the artifact store's scheme into an emptyDir the server then
imports from (or an image that has them, with `python_packages: []`). Tests
run the same server from PyPI: `mlflow==version` plus the same packages
(tests/harness/mlflow.py builds that environment from this table).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

MLFLOW = {
    "version": "3.17.2",
    "image": "ghcr.io/mlflow/mlflow:v3.17.2",
    "port": 5000,
    # what the server imports for a PostgreSQL backend and for each artifact store scheme. MLflow 3.17 pulls
    # SQLAlchemy 2.1, whose driver for a plain postgresql:// URI is psycopg 3 (no longer psycopg2)
    "packages": {
        "postgresql": ["psycopg[binary]==3.3.9"],
        "auth": ["flask-wtf==1.3.0"],
        "s3": ["boto3==1.44.8"],
        "wasbs": ["azure-storage-blob==12.31.1", "azure-identity==1.27.0"],
        "gs": ["google-cloud-storage==3.17.1"],
    },
}

#: Model servers inference_service renders, at pinned versions. vLLM's image tag is its PyPI release (0.33.0,
#: 2026-11-02). Triton's NGC container YY.MM ships Triton release 2.N (tritonclient 2.N on PyPI: 2.62.0 came
#: with 25.10 on 2025-10-31, 2.73.0 on 2026-09-30 is 26.09). `ready` is the runtime's own readiness endpoint,
#: `live` its liveness one; `queue_metric` is what queue-based autoscaling reads, with its model label.
SERVING = {
    "vllm": {
        "image": "vllm/vllm-openai",
        "version": "v0.33.0",
        "ports": [("http", 8000)],
        "ready": "/v1/models",
        "live": "/health",
        "metrics": ("http", "/metrics"),
        "queue_metric": "vllm:num_requests_waiting",
        "model_label": "model_name",
        "queue_unit": "requests waiting per replica",
        "queue_target": 5,
    },
    "triton": {
        "image": "nvcr.io/nvidia/tritonserver",
        "version": "26.09-py3",
        "ports": [("http", 8000), ("grpc", 8001), ("metrics", 8002)],
        "ready": "/v2/health/ready",
        "live": "/v2/health/live",
        "metrics": ("metrics", "/metrics"),
        "queue_metric": "nv_inference_queue_duration_us",
        "model_label": "model",
        "queue_unit": "microseconds queued per request",
        "queue_target": 50000,
    },
}
