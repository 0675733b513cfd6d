"""The HTTP interface: FastAPI app factory, routers, problem+json errors."""

from peacewatch.api.app import create_app

__all__ = ["create_app"]
