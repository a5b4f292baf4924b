"""Which served protocol class speaks a service: one per wire protocol, picked from a table as botocore
picks its parser (`PROTOCOL_PARSERS`)."""

from __future__ import annotations

from conformance import spec
from conformance.errors import UsageError
from conformance.server.cbor_server import RpcV2CborServerProtocol
from conformance.server.protocol import JsonProtocol, ServerProtocol
from conformance.server.query_protocol import Ec2Protocol, QueryProtocol
from conformance.server.rest_protocols import RestJsonProtocol, RestXmlProtocol
from conformance.server.s3_protocol import S3Protocol

SERVER_PROTOCOLS: dict[str, type[ServerProtocol]] = {
    protocol.name: protocol for protocol in (JsonProtocol, QueryProtocol, Ec2Protocol, RestJsonProtocol,
                                             RestXmlProtocol, RpcV2CborServerProtocol)
}
# Services whose protocol has a dialect of its own (S3's virtual hosts and error document).
SERVICE_PROTOCOLS: dict[str, type[ServerProtocol]] = {"s3": S3Protocol}


def server_protocol(service: str) -> ServerProtocol:
    """The served protocol of SERVICE (UnknownServiceError names the closest services)."""
    name = spec.deriver(service).protocol
    chosen = SERVICE_PROTOCOLS.get(service) or SERVER_PROTOCOLS.get(name)
    if chosen is None:
        raise UsageError(f"{service} uses {name}, which conformance serve does not speak (it speaks "
                         f"{', '.join(SERVER_PROTOCOLS)})")
    return chosen(service)
