"""The AWS wire protocols, one class each, picked by a spec document's `x-aws-protocol`.

As botocore picks its parser from `PROTOCOL_PARSERS`: `protocol_for(document)` gives the object that knows,
for that protocol, the content types, where an error's code and the request id are, and how answers and
requests decode into the data model the document's schemas describe. Checks, cassettes, the runner and the
server take their protocol from here, never from botocore's model.
"""

from __future__ import annotations

from conformance.protocols.base import BodyError, Decoded, ErrorCode, Protocol
from conformance.protocols.cbor_protocol import RpcV2CborProtocol
from conformance.protocols.json_protocols import AwsJsonProtocol, RestJsonProtocol
from conformance.protocols.xml_protocols import Ec2Protocol, QueryProtocol, RestXmlProtocol
from conformance.spec.derive import Schema

__all__ = ["PROTOCOLS", "BodyError", "Decoded", "ErrorCode", "Protocol", "protocol_for", "protocol_named"]

PROTOCOLS: dict[str, Protocol] = {
    protocol.name: protocol
    for protocol in (AwsJsonProtocol(), RestJsonProtocol(), QueryProtocol(), Ec2Protocol(), RestXmlProtocol(),
                     RpcV2CborProtocol())
}


def protocol_named(name: str) -> Protocol:
    try:
        return PROTOCOLS[name]
    except KeyError:
        raise ValueError(f"no protocol {name!r}: known protocols are {', '.join(PROTOCOLS)}") from None


def protocol_for(document: Schema) -> Protocol:
    """The protocol object of a spec document (or part), by its `x-aws-protocol`."""
    return protocol_named(str(document["x-aws-protocol"]))
