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
