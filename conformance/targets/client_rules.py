"""What botocore's client refuses to send whatever the model says, and values it accepts for those members.

botocore checks some members client-side before a request is built: S3 bucket names must match
`botocore.handlers.VALID_BUCKET` (`^[a-zA-Z0-9.\\-_]{1,255}$`) or be an access-point ARN, and a name the
model allows but the client refuses is never sent (the S3 model's BucketName has no pattern, so almost every
generated name is refused). Runs mix these known-sendable values into the cases of every target, as they mix
in `--example` values and discovered resources, so the operations of such services reach the endpoint.
"""

from __future__ import annotations

from typing import Any

# service -> input member name -> values botocore sends (and the model allows)
SENDABLE_EXAMPLES: dict[str, dict[str, list[Any]]] = {
    "s3": {"Bucket": ["conformance-bucket"]},
}


def sendable_examples(service: str) -> dict[str, list[Any]]:
    return {name: list(values) for name, values in SENDABLE_EXAMPLES.get(service, {}).items()}
