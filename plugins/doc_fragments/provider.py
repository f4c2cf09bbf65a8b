# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Provider-connection options shared by zone, zone_info, node_pool and node_pool_info."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Kept in step with PROVIDER_ARGS in plugins/module_utils/providers/__init__.py.
    DOCUMENTATION = r'''
options:
  provider:
    description:
      - Where the zone lives. C(local) is a local control plane with KWOK nodes;
        C(eks) is Amazon EKS; C(aks) and C(gke) are Azure and Google Cloud.
    type: str
    required: true
    choices: [local, eks, aks, gke]
  region:
    description:
      - Cloud region of the zone, for example C(us-east-1).
      - For C(local), a free-form name used in the nodes' topology labels; defaults to C(local).
      - If not set, the value of the E(AIZONE_REGION) environment variable is used.
    type: str
  endpoint_url:
    description:
      - Override of the provider API endpoint, for example a test double on loopback.
      - For C(local), the URL at which the zone's API server is reached, for example a proxy in front of it
        that serves the API server's own certificate; the zone's kubeconfig then names it.
      - If not set, the value of the E(AIZONE_ENDPOINT_URL) environment variable is used.
    type: str
  ca_bundle:
    description:
      - CA certificates (PEM file) to verify the provider endpoint's TLS certificate with, for a private CA.
      - If not set, the value of the E(AIZONE_CA_BUNDLE) environment variable is used.
    type: path
  aws_access_key_id:
    description:
      - AWS access key ID (C(eks)).
      - If not set, the value of the E(AWS_ACCESS_KEY_ID) environment variable is used.
    type: str
  aws_secret_access_key:
    description:
      - AWS secret access key (C(eks)).
      - If not set, the value of the E(AWS_SECRET_ACCESS_KEY) environment variable is used.
    type: str
  aws_session_token:
    description:
      - AWS session token for temporary credentials (C(eks)).
      - If not set, the value of the E(AWS_SESSION_TOKEN) environment variable is used.
    type: str
  aws_profile:
    description:
      - AWS shared-credentials profile (C(eks)).
      - If not set, the value of the E(AWS_PROFILE) environment variable is used.
    type: str
  eks_cluster_role_arn:
    description:
      - IAM role ARN the EKS control plane assumes (C(eks)); needed to create a zone.
      - If not set, the value of the E(AIZONE_EKS_CLUSTER_ROLE_ARN) environment variable is used.
    type: str
  eks_node_role_arn:
    description:
      - IAM role ARN of the node groups' instances (C(eks)); needed to create a node pool unless the zone
        recorded one when it was created.
      - If not set, the value of the E(AIZONE_EKS_NODE_ROLE_ARN) environment variable is used.
    type: str
  azure_subscription_id:
    description:
      - Azure subscription ID (C(aks)).
      - If not set, the value of the E(AZURE_SUBSCRIPTION_ID) environment variable is used.
    type: str
  azure_tenant_id:
    description:
      - Azure tenant ID (C(aks)).
      - If not set, the value of the E(AZURE_TENANT_ID) environment variable is used.
    type: str
  azure_client_id:
    description:
      - Azure service principal client ID (C(aks)).
      - If not set, the value of the E(AZURE_CLIENT_ID) environment variable is used.
    type: str
  azure_client_secret:
    description:
      - Azure service principal secret (C(aks)).
      - If not set, the value of the E(AZURE_CLIENT_SECRET) environment variable is used.
    type: str
  azure_access_token:
    description:
      - A ready bearer token for Azure Resource Manager (C(aks)), instead of a service principal.
      - If not set, the value of the E(AZURE_ACCESS_TOKEN) environment variable is used.
    type: str
  azure_resource_group:
    description:
      - Resource group holding the AKS cluster (C(aks)).
      - If not set, the value of the E(AZURE_RESOURCE_GROUP) environment variable is used.
    type: str
  gcp_project:
    description:
      - Google Cloud project (C(gke)).
      - If not set, the value of the E(GOOGLE_CLOUD_PROJECT) or E(CLOUDSDK_CORE_PROJECT) environment variable is used.
    type: str
  gcp_credentials_file:
    description:
      - Path of a Google Cloud service account key file (C(gke)).
      - If not set, the value of the E(GOOGLE_APPLICATION_CREDENTIALS) environment variable is used.
    type: path
  gcp_access_token:
    description:
      - A ready OAuth2 access token for Google Cloud (C(gke)), instead of a credentials file.
      - If not set, the value of the E(GOOGLE_OAUTH_ACCESS_TOKEN) environment variable is used.
    type: str
  binaries_dir:
    description:
      - Directory holding the local control plane binaries printed by C(hack/controlplane/build.sh) (C(local)).
      - If not set, the value of the E(AIZONE_CONTROLPLANE_BIN) environment variable is used.
    type: path
  workdir:
    description:
      - Directory where local control planes keep their state (C(local)).
      - If not set, the value of the E(AIZONE_LOCALZONE_WORKDIR) environment variable is used,
        else C(~/.cache/aizone/kwok).
    type: path
notes:
  - Modules run on the controller; the SDK of the chosen provider must be installed there
    (C(boto3) for C(eks), C(azure-mgmt-containerservice) for C(aks), C(google-cloud-container) for C(gke),
    C(kubernetes) for C(local)).
'''
