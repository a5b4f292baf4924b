"""`conformance serve`: a real HTTP endpoint that speaks a service's own wire protocol from the spec.

One module per job: `protocol` (the served protocols' interface and the JSON 1.0/1.1 wire), `query_protocol`
(query and ec2), `rest_routing` (method and URI template to operation), `rest_protocols` (rest-json and
rest-xml), `s3_protocol` (S3's virtual hosts and errors), `cbor_server` (smithy-rpc-v2-cbor), `protocols`
(which class speaks a service), `validation_messages` (AWS-style validation errors
from the input schema), `generic` (responses drawn from the strategies), `glue_ml` (the stateful Glue ML
family), `state` (the atomic state file), `fuzz` (valid and malformed answers, each with a replayable id),
`workers` (those answers made in worker processes), `judge` (verdicts on what a client made of them),
`endpoint` (one request in, one answer out, no sockets) and `http` (the threaded HTTP server around it).
"""

from __future__ import annotations

from conformance.server.endpoint import Endpoint, EndpointOptions
from conformance.server.fuzz import FuzzCase, fuzz_case
from conformance.server.glue_ml import GlueMLFamily, GlueMLOptions
from conformance.server.http import ServeServer, serve_in_thread
from conformance.server.protocol import ServiceError

__all__ = ["Endpoint", "EndpointOptions", "FuzzCase", "GlueMLFamily", "GlueMLOptions", "ServeServer", "ServiceError",
           "fuzz_case", "serve_in_thread"]
