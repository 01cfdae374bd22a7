"""``/docs`` with Swagger UI served from this server, not a CDN (the page must work offline).

The assets come from the ``swagger-ui-bundle`` package (Apache-2.0, the upstream dist files);
FastAPI's own ``/docs`` and ``/redoc`` load them from jsDelivr and are turned off.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs-assets"


def mount_local_docs(app: FastAPI, docs_url: str = "/docs") -> None:
    """Serve Swagger UI at ``docs_url`` with its JS/CSS/favicon under :data:`ASSETS_URL`.

    Without ``swagger-ui-bundle`` installed there is no ``/docs`` (``/openapi.json`` stays).
    """
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        return
    app.mount(ASSETS_URL, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get(docs_url, include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} — docs",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon-32x32.png",
            # Swagger UI would otherwise post the schema to validator.swagger.io for a badge.
            swagger_ui_parameters={"validatorUrl": None},
        )
