"""The REST API (django-ninja), OpenAPI docs at /api/docs. Each app adds its router."""
from ninja import NinjaAPI

api = NinjaAPI(title="planwatch API", version="1", urls_namespace="api")

from directory.api import router as directory_router  # noqa: E402
from plans.api import router as plans_router  # noqa: E402

api.add_router("/units/", directory_router)
api.add_router("/", plans_router)
