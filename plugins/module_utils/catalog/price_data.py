# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Instance prices, as data only (lookups live in cost/prices.py).

PRICES: one row per (cloud, instance type, region):
  (cloud, type, region, on-demand USD per hour, its source key, its date, spot USD per hour)
An on-demand price of None means no figure was read, not that the type is free.
Spot prices are snapshots: each is the lowest spot price over the region's
availability zones (as SkyPilot's optimizer takes it) in SPOT_SOURCE, read on
SPOT_DATE; spot prices move every few minutes, so a spot figure is an
estimate of what a spot pool costs, never a quote. None: no spot figure read.

SOURCES: what each source key means. UNIT_BASIS: per cloud, two instance
types of one family with equal vCPUs and different memory; cost/prices.py
derives a price per vCPU-hour and per GiB-hour from them, which is how a
node's price is split into CPU, memory and GPU parts.

A month is HOURS_PER_MONTH hours (730, as Infracost and the cloud calculators).
Update a row's source and date with every figure changed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

HOURS_PER_MONTH = 730

#: the region whose price a provider's zone uses when its own region has no row
DEFAULT_REGION = {"aws": "us-east-1", "azure": "eastus", "gcp": "us-central1"}

SOURCES = {
    "karpenter-aws-2026-07": "karpenter-provider-aws generated pricing table (us-east-1, on-demand Linux), dated 2026-07-20",
    "karpenter-aws-2026-01": "karpenter-provider-aws pkg/providers/pricing/zz_generated.pricing_aws.go, "
                             "'generated at 2026-01-19T13:23:24Z for us-east-1' (on-demand Linux)",
    "aws-list": "AWS EC2 on-demand list price (us-east-1, Linux), recorded on the date given, not read from a dated "
                "snapshot",
    "karpenter-azure-2026-06": "karpenter-provider-azure generated pricing table (eastus, Linux pay-as-you-go), dated "
                               "2026-06-18",
    "azure-list": "Azure Linux VM list price (eastus, pay-as-you-go), recorded on the date given, not read from a "
                  "dated snapshot",
    "gcp-calculator-2025-03": "public GCP pricing calculator dataset dated 2025-03-06 (us-central1, on-demand; A2 Ultra "
                              "and A3 include bundled local SSD)",
    "gcp-list": "GCP Compute Engine list price (us-central1, on-demand), recorded on the date given, not read from a "
                "dated snapshot",
    "skypilot-aws-00148f2": "skypilot-catalog catalogs/v8/aws/vms.csv at commit 00148f2af367 (Price column), read on "
                            "2026-11-30",
}

SPOT_SOURCE = ("skypilot-catalog catalogs/v8/aws/vms.csv at commit 00148f2af367 (SpotPrice column, lowest over the "
               "region's availability zones, Local Zones excluded); a snapshot: spot prices move")
SPOT_DATE = "2026-11-30"

#: per provider: (USD an hour for the cluster's control plane, source, date)
CONTROL_PLANE = {
    "eks": (0.10, "Amazon EKS pricing page: 0.10 USD per cluster hour on standard support (extended support costs "
                  "more), list price recorded on the date given, not read from a dated snapshot", "2026-11-30"),
    "gke": (0.10, "GKE pricing page: cluster management fee of 0.10 USD per cluster hour (the monthly free-tier "
                  "credit of one zonal or Autopilot cluster per billing account is not deducted), list price "
                  "recorded on the date given, not read from a dated snapshot", "2026-11-30"),
    "aks": (0.0, "AKS pricing page: the Free tier, which a cluster created without a sku gets, has no control plane "
                 "fee (the Standard tier costs 0.10 USD per cluster hour), recorded on the date given", "2026-11-30"),
    "local": (0.0, "the local zone's control plane runs on this machine: no fee", "2026-11-30"),
}

UNIT_BASIS = {
    "aws": ("c6i.xlarge", "m6i.xlarge"),
    "azure": ("Standard_D4s_v5", "Standard_E4s_v5"),
    "gcp": ("n2-standard-4", "n2-highmem-4"),
}

PRICES = (
    ('aws', 'p4d.24xlarge', 'us-east-1', 21.958, 'karpenter-aws-2026-07', '2026-07-20', 2.4655),
    ('aws', 'p4de.24xlarge', 'us-east-1', 27.447, 'karpenter-aws-2026-07', '2026-07-20', 8.6505),
    ('aws', 'p5.48xlarge', 'us-east-1', 55.04, 'karpenter-aws-2026-07', '2026-07-20', None),
    ('aws', 'p5.4xlarge', 'us-east-1', 6.88, 'karpenter-aws-2026-07', '2026-07-20', None),
    ('aws', 'p5en.48xlarge', 'us-east-1', 63.296, 'karpenter-aws-2026-07', '2026-07-20', 16.5551),
    ('aws', 'g5.xlarge', 'us-east-1', 1.006, 'karpenter-aws-2026-07', '2026-07-20', None),
    ('aws', 'g5.2xlarge', 'us-east-1', 1.212, 'karpenter-aws-2026-07', '2026-07-20', None),
    ('aws', 'g5.4xlarge', 'us-east-1', 1.624, 'karpenter-aws-2026-07', '2026-07-20', None),
    ('aws', 'g5.8xlarge', 'us-east-1', 2.448, 'karpenter-aws-2026-07', '2026-07-20', None),
    ('aws', 'g5.16xlarge', 'us-east-1', 4.096, 'karpenter-aws-2026-07', '2026-07-20', None),
    ('aws', 'g5.12xlarge', 'us-east-1', 5.672, 'karpenter-aws-2026-07', '2026-07-20', None),
    ('aws', 'g5.24xlarge', 'us-east-1', 8.144, 'karpenter-aws-2026-07', '2026-07-20', None),
    ('aws', 'g5.48xlarge', 'us-east-1', 16.288, 'karpenter-aws-2026-07', '2026-07-20', None),
    ('aws', 'g6.xlarge', 'us-east-1', 0.8048, 'karpenter-aws-2026-07', '2026-07-20', None),
    ('aws', 'g6.2xlarge', 'us-east-1', 0.9776, 'karpenter-aws-2026-07', '2026-07-20', None),
    ('aws', 'g6.4xlarge', 'us-east-1', 1.3232, 'karpenter-aws-2026-07', '2026-07-20', None),
    ('aws', 'g6.8xlarge', 'us-east-1', 2.0144, 'karpenter-aws-2026-07', '2026-07-20', None),
    ('aws', 'g6.16xlarge', 'us-east-1', 3.3968, 'karpenter-aws-2026-07', '2026-07-20', None),
    ('aws', 'g6.12xlarge', 'us-east-1', 4.6016, 'karpenter-aws-2026-07', '2026-07-20', None),
    ('aws', 'g6.24xlarge', 'us-east-1', 6.6752, 'karpenter-aws-2026-07', '2026-07-20', None),
    ('aws', 'g6.48xlarge', 'us-east-1', 13.3504, 'karpenter-aws-2026-07', '2026-07-20', None),
    ('aws', 'g4dn.xlarge', 'us-east-1', 0.526, 'karpenter-aws-2026-07', '2026-07-20', None),
    ('aws', 'g4dn.2xlarge', 'us-east-1', 0.752, 'karpenter-aws-2026-07', '2026-07-20', None),
    ('aws', 'g4dn.4xlarge', 'us-east-1', 1.204, 'karpenter-aws-2026-07', '2026-07-20', None),
    ('aws', 'g4dn.8xlarge', 'us-east-1', 2.176, 'karpenter-aws-2026-07', '2026-07-20', None),
    ('aws', 'g4dn.16xlarge', 'us-east-1', 4.352, 'karpenter-aws-2026-07', '2026-07-20', None),
    ('aws', 'g4dn.12xlarge', 'us-east-1', 3.912, 'karpenter-aws-2026-07', '2026-07-20', None),
    ('aws', 'g4dn.metal', 'us-east-1', 7.824, 'karpenter-aws-2026-07', '2026-07-20', None),
    ('aws', 'c5.large', 'us-east-1', 0.085, 'aws-list', '2026-11-23', None),
    ('aws', 'c5.xlarge', 'us-east-1', 0.17, 'aws-list', '2026-11-23', None),
    ('aws', 'c5.2xlarge', 'us-east-1', 0.34, 'aws-list', '2026-11-23', None),
    ('aws', 'c5.4xlarge', 'us-east-1', 0.68, 'aws-list', '2026-11-23', None),
    ('aws', 'c5.9xlarge', 'us-east-1', 1.53, 'aws-list', '2026-11-23', None),
    ('aws', 'c5.12xlarge', 'us-east-1', 2.04, 'aws-list', '2026-11-23', None),
    ('aws', 'c5.18xlarge', 'us-east-1', 3.06, 'aws-list', '2026-11-23', None),
    ('aws', 'c5.24xlarge', 'us-east-1', 4.08, 'aws-list', '2026-11-23', None),
    ('aws', 'm5.large', 'us-east-1', 0.096, 'aws-list', '2026-11-23', None),
    ('aws', 'm5.xlarge', 'us-east-1', 0.192, 'aws-list', '2026-11-23', None),
    ('aws', 'm5.2xlarge', 'us-east-1', 0.384, 'aws-list', '2026-11-23', None),
    ('aws', 'm5.4xlarge', 'us-east-1', 0.768, 'aws-list', '2026-11-23', None),
    ('aws', 'm5.8xlarge', 'us-east-1', 1.536, 'aws-list', '2026-11-23', None),
    ('aws', 'm5.12xlarge', 'us-east-1', 2.304, 'aws-list', '2026-11-23', None),
    ('aws', 'm5.16xlarge', 'us-east-1', 3.072, 'aws-list', '2026-11-23', None),
    ('aws', 'm5.24xlarge', 'us-east-1', 4.608, 'aws-list', '2026-11-23', None),
    ('aws', 'r5.large', 'us-east-1', 0.126, 'aws-list', '2026-11-23', None),
    ('aws', 'r5.xlarge', 'us-east-1', 0.252, 'aws-list', '2026-11-23', None),
    ('aws', 'r5.2xlarge', 'us-east-1', 0.504, 'aws-list', '2026-11-23', None),
    ('aws', 'r5.4xlarge', 'us-east-1', 1.008, 'aws-list', '2026-11-23', None),
    ('aws', 'r5.8xlarge', 'us-east-1', 2.016, 'aws-list', '2026-11-23', None),
    ('aws', 'r5.12xlarge', 'us-east-1', 3.024, 'aws-list', '2026-11-23', None),
    ('aws', 'r5.16xlarge', 'us-east-1', 4.032, 'aws-list', '2026-11-23', None),
    ('aws', 'r5.24xlarge', 'us-east-1', 6.048, 'aws-list', '2026-11-23', None),
    ('azure', 'Standard_ND96asr_v4', 'eastus', 27.197, 'karpenter-azure-2026-06', '2026-06-18', None),
    ('azure', 'Standard_ND96amsr_A100_v4', 'eastus', 32.77, 'karpenter-azure-2026-06', '2026-06-18', None),
    ('azure', 'Standard_ND96isr_H100_v5', 'eastus', 98.32, 'karpenter-azure-2026-06', '2026-06-18', None),
    ('azure', 'Standard_NC24ads_A100_v4', 'eastus', 3.673, 'karpenter-azure-2026-06', '2026-06-18', None),
    ('azure', 'Standard_NC48ads_A100_v4', 'eastus', 7.346, 'karpenter-azure-2026-06', '2026-06-18', None),
    ('azure', 'Standard_NC96ads_A100_v4', 'eastus', 14.692, 'karpenter-azure-2026-06', '2026-06-18', None),
    ('azure', 'Standard_NC4as_T4_v3', 'eastus', 0.526, 'karpenter-azure-2026-06', '2026-06-18', None),
    ('azure', 'Standard_NC8as_T4_v3', 'eastus', 0.752, 'karpenter-azure-2026-06', '2026-06-18', None),
    ('azure', 'Standard_NC16as_T4_v3', 'eastus', 1.204, 'karpenter-azure-2026-06', '2026-06-18', None),
    ('azure', 'Standard_NC64as_T4_v3', 'eastus', 4.352, 'karpenter-azure-2026-06', '2026-06-18', None),
    ('azure', 'Standard_F4s_v2', 'eastus', 0.169, 'azure-list', '2026-11-23', None),
    ('azure', 'Standard_F8s_v2', 'eastus', 0.338, 'azure-list', '2026-11-23', None),
    ('azure', 'Standard_F16s_v2', 'eastus', 0.677, 'azure-list', '2026-11-23', None),
    ('azure', 'Standard_F32s_v2', 'eastus', 1.353, 'azure-list', '2026-11-23', None),
    ('azure', 'Standard_D4s_v5', 'eastus', 0.192, 'azure-list', '2026-11-23', None),
    ('azure', 'Standard_D8s_v5', 'eastus', 0.384, 'azure-list', '2026-11-23', None),
    ('azure', 'Standard_D16s_v5', 'eastus', 0.768, 'azure-list', '2026-11-23', None),
    ('azure', 'Standard_D32s_v5', 'eastus', 1.536, 'azure-list', '2026-11-23', None),
    ('azure', 'Standard_E4s_v5', 'eastus', 0.252, 'azure-list', '2026-11-23', None),
    ('azure', 'Standard_E8s_v5', 'eastus', 0.504, 'azure-list', '2026-11-23', None),
    ('azure', 'Standard_E16s_v5', 'eastus', 1.008, 'azure-list', '2026-11-23', None),
    ('azure', 'Standard_E32s_v5', 'eastus', 2.016, 'azure-list', '2026-11-23', None),
    ('gcp', 'a2-highgpu-1g', 'us-central1', 3.6734, 'gcp-calculator-2025-03', '2025-03-06', None),
    ('gcp', 'a2-highgpu-2g', 'us-central1', 7.3468, 'gcp-calculator-2025-03', '2025-03-06', None),
    ('gcp', 'a2-highgpu-4g', 'us-central1', 14.6936, 'gcp-calculator-2025-03', '2025-03-06', None),
    ('gcp', 'a2-highgpu-8g', 'us-central1', 29.3872, 'gcp-calculator-2025-03', '2025-03-06', None),
    ('gcp', 'a2-megagpu-16g', 'us-central1', None, None, None, None),
    ('gcp', 'a2-ultragpu-1g', 'us-central1', 5.0688, 'gcp-calculator-2025-03', '2025-03-06', None),
    ('gcp', 'a2-ultragpu-2g', 'us-central1', 10.1376, 'gcp-calculator-2025-03', '2025-03-06', None),
    ('gcp', 'a2-ultragpu-4g', 'us-central1', 20.2752, 'gcp-calculator-2025-03', '2025-03-06', None),
    ('gcp', 'a2-ultragpu-8g', 'us-central1', 40.5504, 'gcp-calculator-2025-03', '2025-03-06', None),
    ('gcp', 'a3-highgpu-1g', 'us-central1', 11.06, 'gcp-calculator-2025-03', '2025-03-06', None),
    ('gcp', 'a3-highgpu-8g', 'us-central1', 88.49, 'gcp-calculator-2025-03', '2025-03-06', None),
    ('gcp', 'g2-standard-4', 'us-central1', 0.7068, 'gcp-calculator-2025-03', '2025-03-06', None),
    ('gcp', 'g2-standard-8', 'us-central1', None, None, None, None),
    ('gcp', 'g2-standard-12', 'us-central1', None, None, None, None),
    ('gcp', 'g2-standard-16', 'us-central1', None, None, None, None),
    ('gcp', 'g2-standard-24', 'us-central1', None, None, None, None),
    ('gcp', 'g2-standard-32', 'us-central1', 1.7344, 'gcp-calculator-2025-03', '2025-03-06', None),
    ('gcp', 'g2-standard-48', 'us-central1', None, None, None, None),
    ('gcp', 'g2-standard-96', 'us-central1', None, None, None, None),
    ('gcp', 'c2-standard-4', 'us-central1', 0.2088, 'gcp-list', '2026-11-23', None),
    ('gcp', 'c2-standard-8', 'us-central1', 0.4176, 'gcp-list', '2026-11-23', None),
    ('gcp', 'c2-standard-16', 'us-central1', 0.8352, 'gcp-list', '2026-11-23', None),
    ('gcp', 'c2-standard-30', 'us-central1', 1.566, 'gcp-list', '2026-11-23', None),
    ('gcp', 'n2-standard-4', 'us-central1', 0.194236, 'gcp-list', '2026-11-23', None),
    ('gcp', 'n2-standard-8', 'us-central1', 0.388472, 'gcp-list', '2026-11-23', None),
    ('gcp', 'n2-standard-16', 'us-central1', 0.776944, 'gcp-list', '2026-11-23', None),
    ('gcp', 'n2-standard-32', 'us-central1', 1.553888, 'gcp-list', '2026-11-23', None),
    ('gcp', 'n2-highmem-4', 'us-central1', 0.262028, 'gcp-list', '2026-11-23', None),
    ('gcp', 'n2-highmem-8', 'us-central1', 0.524056, 'gcp-list', '2026-11-23', None),
    ('gcp', 'n2-highmem-16', 'us-central1', 1.048112, 'gcp-list', '2026-11-23', None),
    ('gcp', 'n2-highmem-32', 'us-central1', 2.096224, 'gcp-list', '2026-11-23', None),
    ('aws', 'c6i.large', 'us-east-1', 0.085, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'c6i.xlarge', 'us-east-1', 0.17, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'c6i.2xlarge', 'us-east-1', 0.34, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'c6i.4xlarge', 'us-east-1', 0.68, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'c6i.8xlarge', 'us-east-1', 1.36, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'c6i.12xlarge', 'us-east-1', 2.04, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'c6i.16xlarge', 'us-east-1', 2.72, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'c6i.24xlarge', 'us-east-1', 4.08, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'c7i.large', 'us-east-1', 0.08925, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'c7i.xlarge', 'us-east-1', 0.1785, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'c7i.2xlarge', 'us-east-1', 0.357, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'c7i.4xlarge', 'us-east-1', 0.714, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'c7i.8xlarge', 'us-east-1', 1.428, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'c7i.12xlarge', 'us-east-1', 2.142, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'c7i.16xlarge', 'us-east-1', 2.856, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'c7i.24xlarge', 'us-east-1', 4.284, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'm6i.large', 'us-east-1', 0.096, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'm6i.xlarge', 'us-east-1', 0.192, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'm6i.2xlarge', 'us-east-1', 0.384, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'm6i.4xlarge', 'us-east-1', 0.768, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'm6i.8xlarge', 'us-east-1', 1.536, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'm6i.12xlarge', 'us-east-1', 2.304, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'm6i.16xlarge', 'us-east-1', 3.072, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'm6i.24xlarge', 'us-east-1', 4.608, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'm7i.large', 'us-east-1', 0.1008, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'm7i.xlarge', 'us-east-1', 0.2016, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'm7i.2xlarge', 'us-east-1', 0.4032, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'm7i.4xlarge', 'us-east-1', 0.8064, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'm7i.8xlarge', 'us-east-1', 1.6128, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'm7i.12xlarge', 'us-east-1', 2.4192, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'm7i.16xlarge', 'us-east-1', 3.2256, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'm7i.24xlarge', 'us-east-1', 4.8384, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'r6i.large', 'us-east-1', 0.126, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'r6i.xlarge', 'us-east-1', 0.252, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'r6i.2xlarge', 'us-east-1', 0.504, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'r6i.4xlarge', 'us-east-1', 1.008, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'r6i.8xlarge', 'us-east-1', 2.016, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'r6i.12xlarge', 'us-east-1', 3.024, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'r6i.16xlarge', 'us-east-1', 4.032, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'r6i.24xlarge', 'us-east-1', 6.048, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'r7i.large', 'us-east-1', 0.1323, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'r7i.xlarge', 'us-east-1', 0.2646, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'r7i.2xlarge', 'us-east-1', 0.5292, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'r7i.4xlarge', 'us-east-1', 1.0584, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'r7i.8xlarge', 'us-east-1', 2.1168, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'r7i.12xlarge', 'us-east-1', 3.1752, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'r7i.16xlarge', 'us-east-1', 4.2336, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'r7i.24xlarge', 'us-east-1', 6.3504, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'x2idn.16xlarge', 'us-east-1', 6.669, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'x2idn.24xlarge', 'us-east-1', 10.0035, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'x2idn.32xlarge', 'us-east-1', 13.338, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'g6e.xlarge', 'us-east-1', 1.861, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'g6e.2xlarge', 'us-east-1', 2.24208, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'g6e.4xlarge', 'us-east-1', 3.00424, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'g6e.8xlarge', 'us-east-1', 4.52856, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'g6e.16xlarge', 'us-east-1', 7.57719, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'g6e.12xlarge', 'us-east-1', 10.49264, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'g6e.24xlarge', 'us-east-1', 15.06559, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'g6e.48xlarge', 'us-east-1', 30.13118, 'karpenter-aws-2026-01', '2026-01-19', None),
    ('aws', 'p5e.48xlarge', 'us-east-1', None, None, None, None),
    ('azure', 'Standard_ND96isr_H200_v5', 'eastus', None, None, None, None),
    ('gcp', 'a3-ultragpu-8g', 'us-central1', None, None, None, None),
    ('aws', 'p4d.24xlarge', 'us-west-2', 21.95764, 'skypilot-aws-00148f2', '2026-11-30', 7.9992),
    ('aws', 'p4de.24xlarge', 'us-west-2', 27.44705, 'skypilot-aws-00148f2', '2026-11-30', 10.3338),
    ('aws', 'p5en.48xlarge', 'us-west-2', 63.296, 'skypilot-aws-00148f2', '2026-11-30', 15.482),
    ('aws', 'p5e.48xlarge', 'us-east-2', None, None, None, 18.7359),
)
