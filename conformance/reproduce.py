"""boto3 snippets that reproduce a finding: the same call, to the same endpoint, with validation off."""

from __future__ import annotations

import pprint
from typing import Any

from botocore import xform_name

from conformance.targets.base import Target


def reproduce_snippet(target: Target, service: str, operation: str, params: dict[str, Any]) -> str:
    endpoint = f", endpoint_url={target.endpoint_url!r}" if target.endpoint_url else ""
    call = f"client.{xform_name(operation)}(**{pprint.pformat(params, width=100, sort_dicts=False)})"
    lines = ["import datetime", "import boto3", "from botocore.config import Config", ""]
    client = (f"client = boto3.client({service!r}, region_name={target.region()!r}{endpoint}, "
              "config=Config(parameter_validation=False))")
    if target.embedded_mock:
        lines[0:0] = ["from moto import mock_aws"]
        lines += ["with mock_aws():", f"    {client}", f"    {call}"]
    else:
        lines += [client, call]
    return "\n".join(lines)
