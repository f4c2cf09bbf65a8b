# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EKS bearer tokens and kubeconfigs, built the way `aws eks get-token` does.

The token is a presigned STS GetCallerIdentity URL whose signature covers the
``x-k8s-aws-id: <cluster name>`` header, encoded as ``k8s-aws-v1.`` +
base64url without padding. The cluster's authenticator replays the URL against
STS to learn who signed it. Building it is local signing: no network call.

The token is accepted for 15 minutes after signing (the authenticator counts
from X-Amz-Date and ignores X-Amz-Expires), so a kubeconfig written with it is
for immediate use by the play that wrote it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import datetime

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError

TOKEN_PREFIX = "k8s-aws-v1."
CLUSTER_ID_HEADER = "x-k8s-aws-id"
#: what aws-cli presigns with
URL_EXPIRES = 60
#: how long the authenticator accepts a token
TOKEN_LIFETIME = 15 * 60


def sts_endpoint(region):
    """The regional STS endpoint the authenticator accepts (aws-cli uses the regional one)."""
    return "https://sts.%s.amazonaws.com" % region


def _resolve_credentials(credentials, session):
    from botocore.credentials import Credentials
    if credentials and credentials.get("aws_access_key_id"):
        return Credentials(credentials["aws_access_key_id"], credentials["aws_secret_access_key"],
                           credentials.get("aws_session_token"))
    if session is None:
        import botocore.session
        session = botocore.session.get_session()
    creds = session.get_credentials()
    if creds is None:
        raise AizoneError("no AWS credentials found to sign the EKS token: set the "
                          "credential options or the AWS_* environment variables")
    return creds


def presigned_url(cluster_name, region, credentials=None, session=None, endpoint=None,
                  expires=URL_EXPIRES):
    """A presigned GET of STS GetCallerIdentity that signs the x-k8s-aws-id header."""
    from botocore.hooks import HierarchicalEmitter
    from botocore.model import ServiceId
    from botocore.signers import RequestSigner
    events = HierarchicalEmitter()  # the signer keeps only a weak reference to it
    signer = RequestSigner(ServiceId("sts"), region, "sts", "v4",
                           _resolve_credentials(credentials, session), events)
    request = {
        "method": "GET",
        "url": "%s/?Action=GetCallerIdentity&Version=2011-06-15" % (endpoint or sts_endpoint(region)),
        "body": {},
        "headers": {CLUSTER_ID_HEADER: cluster_name},
        "context": {},
    }
    return signer.generate_presigned_url(request, operation_name="GetCallerIdentity",
                                         region_name=region, expires_in=expires)


def encode_token(url):
    """k8s-aws-v1. + base64url(url) without '=' padding."""
    return TOKEN_PREFIX + base64.urlsafe_b64encode(url.encode("utf-8")).decode("ascii").rstrip("=")


def decode_token(token):
    """The presigned URL inside a token; None when it is not an EKS token."""
    if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX):
        return None
    body = token[len(TOKEN_PREFIX):]
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


def token_expiry(token):
    """When the authenticator stops accepting the token (UTC, naive), or None."""
    from urllib.parse import parse_qs, urlsplit
    url = decode_token(token)
    if not url:
        return None
    stamp = parse_qs(urlsplit(url).query).get("X-Amz-Date", [None])[0]
    try:
        signed = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ")
    except (TypeError, ValueError):
        return None
    return signed + datetime.timedelta(seconds=TOKEN_LIFETIME)


def reusable(existing, fresh, margin=5 * 60, now=None):
    """True when kubeconfig `existing` equals `fresh` but for a token still valid for `margin` s.

    Lets a rerun keep the kubeconfig it wrote minutes ago (no change reported)
    instead of rewriting it with a token that differs only by its signing time.
    """
    if not isinstance(existing, dict) or not isinstance(fresh, dict):
        return False
    old_users, new_users = existing.get("users") or [], fresh.get("users") or []
    if len(old_users) != 1 or len(new_users) != 1:
        return False
    expiry = token_expiry(((old_users[0].get("user") or {}).get("token")))
    now = now or datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    if expiry is None or (expiry - now).total_seconds() < margin:
        return False
    same_but_token = dict(fresh, users=[dict(new_users[0], user=old_users[0].get("user"))])
    return same_but_token == existing


def get_token(cluster_name, region, credentials=None, session=None, endpoint=None):
    """The bearer token for cluster_name (credentials: dict of aws_* keys, or a boto3 session)."""
    return encode_token(presigned_url(cluster_name, region, credentials, session, endpoint))


def kubeconfig(cluster_name, server, ca_data, token, region):
    """A kubeconfig dict with one cluster, one token user and one context, all current."""
    entry = "eks_%s_%s" % (region, cluster_name)
    cluster = {"server": server}
    if ca_data:
        cluster["certificate-authority-data"] = ca_data
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": entry, "cluster": cluster}],
        "users": [{"name": entry, "user": {"token": token}}],
        "contexts": [{"name": entry, "context": {"cluster": entry, "user": entry}}],
        "current-context": entry,
        "preferences": {},
    }
