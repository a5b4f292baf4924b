"""Access to the service models of the installed botocore, exactly as botocore loads them."""

from __future__ import annotations

import functools
from typing import Any

import botocore
import botocore.loaders
import botocore.session
from botocore.model import ServiceModel

from conformance.errors import UnknownOperationError, UnknownServiceError

RawModel = dict[str, Any]


@functools.lru_cache(maxsize=1)
def shared_loader() -> botocore.loaders.Loader:
    """The process's one botocore Loader: derivation and the targets' clients (`conformance.targets`) share
    it, so a service's model is read and decoded once (glue's is 1.3 MB of JSON). Built as a botocore
    session builds its own, so AWS_DATA_PATH counts as it does for boto3."""
    data_path = botocore.session.get_session().get_config_variable("data_path")
    return botocore.loaders.create_loader(data_path)


@functools.lru_cache(maxsize=1)
def service_names() -> tuple[str, ...]:
    """Every service botocore ships a `service-2` model for, sorted."""
    return tuple(sorted(shared_loader().list_available_services("service-2")))


def botocore_version() -> str:
    return str(botocore.__version__)


def load_service(service: str, *, cached: bool = True) -> ServiceModel:
    """botocore's ServiceModel for SERVICE; `cached=False` keeps no copy (for walks over every service)."""
    if service not in service_names():
        raise UnknownServiceError(service, service_names())
    if cached:
        return _load_cached(service)
    # A fresh loader per service: botocore's Loader caches every model it loads on the instance. It takes the
    # list of services from the shared loader, which listed them once: each new Loader lists every service's
    # directory again before its first load (445 times, a tenth of `conformance spec --all`).
    loader = botocore.loaders.create_loader()
    loader.list_available_services = shared_loader().list_available_services
    raw = loader.load_service_model(service, "service-2")
    return ServiceModel(raw, service_name=service)


@functools.lru_cache(maxsize=8)
def _load_cached(service: str) -> ServiceModel:
    raw = shared_loader().load_service_model(service, "service-2")
    return ServiceModel(raw, service_name=service)


def raw_model(model: ServiceModel) -> RawModel:
    """The model data botocore's ServiceModel wraps; derivation reads shapes from it directly for speed."""
    raw: RawModel = model._service_description
    return raw


def check_operation(model: ServiceModel, operation: str) -> None:
    if operation not in raw_model(model)["operations"]:
        raise UnknownOperationError(model.service_name, operation, model.operation_names)
